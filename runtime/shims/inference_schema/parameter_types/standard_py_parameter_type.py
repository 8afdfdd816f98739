"""``StandardPythonParameterType``: a parameter given as a plain Python sample value."""

import base64
import datetime
import json

from ._constants import DATE_FORMAT, DATETIME_FORMAT, ERR_PYTHON_DATA_NOT_JSON_SERIALIZABLE, TIME_FORMAT
from ._util import handle_standard_types
from .abstract_parameter_type import AbstractParameterType


class StandardPythonParameterType(AbstractParameterType):
    """A parameter typed by a standard Python sample (int, float, str, bool, bytes, dates,
    or a dict/list of them, which may nest other parameter types)."""

    def __init__(self, sample_input):
        super().__init__(sample_input)
        self.sample_data_type_map = dict()
        self.sample_data_type_list = []
        if self.sample_data_type is dict:
            for key, value in self.sample_input.items():
                if isinstance(value, AbstractParameterType):
                    self.sample_data_type_map[key] = value
        elif self.sample_data_type in (list, tuple):
            for value in self.sample_input:
                if isinstance(value, AbstractParameterType):
                    self.sample_data_type_list.append(value)

    def deserialize_input(self, input_data):
        if self.sample_data_type is datetime.date:
            input_data = _parse_date(input_data)
        elif self.sample_data_type is datetime.datetime:
            input_data = _parse_datetime(input_data)
        elif self.sample_data_type is datetime.time:
            input_data = _parse_time(input_data)
        elif self.sample_data_type in (bytes, bytearray):
            input_data = base64.b64decode(input_data.encode("utf-8"))

        if self.sample_data_type is float and type(input_data) is int:
            pass  # ints are accepted where floats are expected
        elif not isinstance(input_data, self.sample_data_type):
            raise ValueError(
                "Invalid input data type to parse. Expected: {0} but got {1}".format(self.sample_data_type, type(input_data))
            )
        return input_data

    def input_to_swagger(self):
        if self.sample_input is None:
            raise ValueError("Sample input cannot be None")
        schema = handle_standard_types(self.sample_input)
        try:
            json.dumps(schema)
        except TypeError as error:
            raise TypeError(ERR_PYTHON_DATA_NOT_JSON_SERIALIZABLE.format(str(error)))
        return schema


# The real package parses dates with python-dateutil; these accept ISO 8601 and the
# formats the package itself writes in its swagger examples.

def _require_str(value):
    if not isinstance(value, str):
        raise TypeError("Parser must be a string or character stream, not {}".format(type(value).__name__))
    return value.strip()


def _parse_datetime(value):
    text = _require_str(value)
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.datetime.fromisoformat(iso)
    except ValueError:
        pass
    for fmt in (DATETIME_FORMAT, "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S,%f",
                "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", DATE_FORMAT):
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError("Unknown string format: {}".format(text))


def _parse_time(value):
    text = _require_str(value)
    try:
        return datetime.time.fromisoformat(text)
    except ValueError:
        pass
    for fmt in (TIME_FORMAT, "%H:%M:%S %z", "%H:%M:%S.%f", "%H:%M:%S", "%H:%M"):
        try:
            return datetime.datetime.strptime(text, fmt).timetz()
        except ValueError:
            continue
    return _parse_datetime(text).timetz()


def _parse_date(value):
    text = _require_str(value)
    try:
        return datetime.datetime.strptime(text, DATE_FORMAT).date()
    except ValueError:
        return _parse_datetime(text).date()
