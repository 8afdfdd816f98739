"""Where the decorators record each function's schema, and how a server reads it back.

Functions are keyed by ``module.name`` of the undecorated function, as in the real package.
"""

import copy
import inspect

from ._constants import ALL_SUPPORTED_VERSIONS, INPUT_SCHEMA_ATTR, OUTPUT_SCHEMA_ATTR

__functions_schema__ = {}
__versions__ = {}


def get_input_schema(func):
    """The swagger input schema recorded for ``func`` (``{"type": "object"}`` if none)."""
    return _get_schema_from_dictionary(INPUT_SCHEMA_ATTR, func)


def get_output_schema(func):
    """The swagger output schema recorded for ``func`` (``{"type": "object"}`` if none)."""
    return _get_schema_from_dictionary(OUTPUT_SCHEMA_ATTR, func)


def get_supported_versions(func):
    """The swagger versions every decorator on ``func`` supports, sorted."""
    name = _get_function_full_qual_name(func)
    input_versions = __versions__.get(name, {}).get(INPUT_SCHEMA_ATTR, {}).get("versions", [])
    output_versions = __versions__.get(name, {}).get(OUTPUT_SCHEMA_ATTR, {}).get("versions", [])
    if input_versions and output_versions:
        versions = set(input_versions) & set(output_versions)
    elif input_versions:
        versions = set(input_versions)
    elif output_versions:
        versions = set(output_versions)
    else:
        versions = ALL_SUPPORTED_VERSIONS
    return sorted(versions)


def get_schemas_dict():
    """A deep copy of every recorded schema."""
    return copy.deepcopy(__functions_schema__)


def is_schema_decorated(func):
    """Whether ``@input_schema`` or ``@output_schema`` was applied to ``func``."""
    return _get_function_full_qual_name(func) in __functions_schema__


def _get_decorators(func):
    """``[func, ..., the undecorated function]`` following ``__wrapped__``."""
    chain = [func]
    seen = {id(func)}
    while True:
        inner = getattr(chain[-1], "__wrapped__", None)
        if inner is None or id(inner) in seen:
            return chain
        seen.add(id(inner))
        chain.append(inner)


def _base_function(func):
    return _get_decorators(func)[-1]


def _get_function_full_qual_name(func):
    base = _base_function(func)
    return "{}.{}".format(getattr(base, "__module__", "<unknown>"), getattr(base, "__name__", "<unknown>"))


def _get_arg_names(func):
    return inspect.getfullargspec(_base_function(func)).args


def _get_schema_from_dictionary(attr, func):
    return __functions_schema__.get(_get_function_full_qual_name(func), {}).get(attr, {"type": "object"})
