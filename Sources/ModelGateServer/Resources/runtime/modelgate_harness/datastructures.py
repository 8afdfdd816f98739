"""Small stand-ins for the Werkzeug data structures that Azure's ``AMLRequest`` and
``AMLResponse`` expose (they are Flask/Werkzeug objects there): a case-insensitive,
multi-valued ``Headers`` and a multi-valued ``MultiDict`` for query arguments and forms.

Only the commonly used part of Werkzeug's API is reproduced; the semantics follow Werkzeug
(``headers["X"]`` is the first value, iteration yields ``(name, value)`` pairs, values are
stored as strings).
"""


class Headers:
    """An ordered list of ``(name, value)`` pairs looked up without regard to case."""

    def __init__(self, items=None):
        self._items = []
        if items is not None:
            self.extend(items)

    # Reading -------------------------------------------------------------------------------

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._items[key]
        lowered = key.lower()
        for name, value in self._items:
            if name.lower() == lowered:
                return value
        raise KeyError(key)

    def get(self, key, default=None, type=None):
        try:
            value = self[key]
        except KeyError:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except (TypeError, ValueError):
            return default

    def getlist(self, key, type=None):
        lowered = key.lower()
        values = [value for name, value in self._items if name.lower() == lowered]
        if type is None:
            return values
        result = []
        for value in values:
            try:
                result.append(type(value))
            except (TypeError, ValueError):
                pass
        return result

    get_all = getlist

    def __contains__(self, key):
        lowered = key.lower()
        return any(name.lower() == lowered for name, _ in self._items)

    def __iter__(self):
        return iter(list(self._items))

    def __len__(self):
        return len(self._items)

    def __bool__(self):
        return bool(self._items)

    def keys(self, lower=False):
        return [name.lower() if lower else name for name, _ in self._items]

    def values(self):
        return [value for _, value in self._items]

    def items(self, lower=False):
        return [(name.lower() if lower else name, value) for name, value in self._items]

    def to_wsgi_list(self):
        return list(self._items)

    def copy(self):
        return Headers(self._items)

    def __eq__(self, other):
        if isinstance(other, Headers):
            return self._items == other._items
        return NotImplemented

    def __repr__(self):
        return "Headers(%r)" % (self._items,)

    # Writing -------------------------------------------------------------------------------

    def add(self, key, value, **params):
        """Appends a value; keyword parameters become ``; name=value`` like Werkzeug's."""
        value = _to_str(value)
        for name, param in params.items():
            if param is None:
                value += "; %s" % name.replace("_", "-")
            else:
                value += '; %s="%s"' % (name.replace("_", "-"), param)
        self._items.append((str(key), value))

    add_header = add

    def set(self, key, value, **params):
        """Replaces every value of ``key`` with one value, keeping the first one's position."""
        lowered = key.lower()
        position = None
        kept = []
        for index, (name, old) in enumerate(self._items):
            if name.lower() == lowered:
                if position is None:
                    position = len(kept)
                continue
            kept.append((name, old))
        self._items = kept
        if params:
            probe = Headers()
            probe.add(key, value, **params)
            pair = probe._items[0]
        else:
            pair = (str(key), _to_str(value))  # what add() would store, without a probe object
        if position is None:
            self._items.append(pair)
        else:
            self._items.insert(position, pair)

    def __setitem__(self, key, value):
        self.set(key, value)

    def setdefault(self, key, default):
        if key in self:
            return self[key]
        self.add(key, default)
        return self[key]

    def remove(self, key):
        lowered = key.lower()
        self._items = [(name, value) for name, value in self._items if name.lower() != lowered]

    def __delitem__(self, key):
        if key not in self:
            raise KeyError(key)
        self.remove(key)

    def pop(self, key, *default):
        try:
            value = self[key]
        except KeyError:
            if default:
                return default[0]
            raise
        self.remove(key)
        return value

    def extend(self, items=None, **kwargs):
        if items is not None:
            if hasattr(items, "items") and not isinstance(items, Headers):
                items = items.items()
            for key, value in items:
                if isinstance(value, (list, tuple)):
                    for each in value:
                        self.add(key, each)
                else:
                    self.add(key, value)
        for key, value in kwargs.items():
            self.add(key, value)

    def update(self, items=None, **kwargs):
        if items is not None:
            if hasattr(items, "items") and not isinstance(items, Headers):
                items = items.items()
            for key, value in items:
                self.set(key, value)
        for key, value in kwargs.items():
            self.set(key, value)

    def clear(self):
        self._items = []


class MultiDict(dict):
    """A dict whose keys may hold several values; ``d[key]`` and ``get`` give the first.

    Like Werkzeug's: ``getlist`` gives all of them, ``items(multi=True)`` every pair, and
    ``to_dict(flat=False)`` a dict of lists.
    """

    def __init__(self, pairs=()):
        super().__init__()
        for key, value in pairs:
            self.add(key, value)

    def add(self, key, value):
        dict.setdefault(self, key, []).append(value)

    def __getitem__(self, key):
        values = dict.__getitem__(self, key)
        if not values:
            raise KeyError(key)
        return values[0]

    def __setitem__(self, key, value):
        dict.__setitem__(self, key, [value])

    def get(self, key, default=None, type=None):
        try:
            value = self[key]
        except KeyError:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except (TypeError, ValueError):
            return default

    def getlist(self, key, type=None):
        values = list(dict.get(self, key, []))
        if type is None:
            return values
        result = []
        for value in values:
            try:
                result.append(type(value))
            except (TypeError, ValueError):
                pass
        return result

    def setlist(self, key, values):
        dict.__setitem__(self, key, list(values))

    def items(self, multi=False):
        if multi:
            return [(key, value) for key, values in dict.items(self) for value in values]
        return [(key, values[0]) for key, values in dict.items(self) if values]

    def values(self):
        return [values[0] for values in dict.values(self) if values]

    def lists(self):
        return [(key, list(values)) for key, values in dict.items(self)]

    def to_dict(self, flat=True):
        if flat:
            return dict(self.items())
        return dict(self.lists())

    def copy(self):
        return MultiDict(self.items(multi=True))

    def __repr__(self):
        return "MultiDict(%r)" % (self.items(multi=True),)


def _to_str(value):
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)
