"""``NumpyParameterType``: a parameter that arrives as nested JSON arrays and reaches
``run()`` as a NumPy array of the sample's dtype and (from the second dimension on) shape."""

import numpy as np

from ._constants import SWAGGER_FORMAT_CONSTANTS
from ._swagger_from_dtype import Dtype2Swagger
from .abstract_parameter_type import AbstractParameterType


class NumpyParameterType(AbstractParameterType):
    """A parameter typed by a sample NumPy array."""

    def __init__(self, sample_input, enforce_column_type=True, enforce_shape=True):
        if not isinstance(sample_input, np.ndarray):
            raise Exception("Invalid sample input provided, must provide a sample Numpy array.")
        super().__init__(sample_input)
        self.enforce_column_type = enforce_column_type
        self.enforce_shape = enforce_shape

    def deserialize_input(self, input_data):
        if isinstance(input_data, np.ndarray):
            return input_data
        if not isinstance(input_data, list):
            raise ValueError("Invalid input format: expected an array of items.")

        if self.enforce_column_type:
            for index in range(len(input_data)):
                input_data[index] = NumpyParameterType._preprocess_json_input(input_data[index], self.sample_input.dtype)
            input_array = np.array(input_data, dtype=self.sample_input.dtype)
        else:
            input_array = np.array(input_data)

        if self.enforce_shape:
            expected_shape = self.sample_input.shape
            input_shape = input_array.shape
            if len(input_shape) != len(expected_shape):
                raise ValueError(
                    "Invalid input array: an array with {0} dimensions is expected; "
                    "input has {1} [shape {2}]".format(len(expected_shape), len(input_shape), input_shape)
                )
            for dim in range(1, len(expected_shape)):
                if input_shape[dim] != expected_shape[dim]:
                    raise ValueError(
                        "Invalid input array: array has size {0} on dimension #{1}, "
                        "while expected value is {2}".format(input_shape[dim], dim, expected_shape[dim])
                    )
        return input_array

    def input_to_swagger(self):
        dtype = self.sample_input.dtype
        shape = self.sample_input.shape
        if not isinstance(shape, tuple):
            raise TypeError("Invalid shape parameter: must be a tuple with array dimensions")
        if not isinstance(dtype, np.dtype):
            raise TypeError("Invalid data_type parameter: must be a valid numpy.dtype")
        item_type = Dtype2Swagger.convert_dtype_to_swagger(dtype)
        schema = Dtype2Swagger.handle_swagger_array(item_type, shape)
        schema["example"] = self._get_swagger_sample(self.sample_input, len(self.sample_input), schema["items"])
        schema["format"] = SWAGGER_FORMAT_CONSTANTS.NUMPY_FORMAT
        return schema

    @classmethod
    def _preprocess_json_input(cls, json_input, sample_dtype):
        if len(sample_dtype) > 0:
            fields = []
            for index in range(len(sample_dtype)):
                if type(json_input) is dict:
                    value = json_input[sample_dtype.names[index]]
                else:
                    value = json_input[index]
                fields.append(cls._preprocess_json_input(value, sample_dtype[index]))
            return tuple(fields)
        name = sample_dtype.name.lower()
        if name.startswith("datetime"):
            return np.datetime64(json_input)
        if name.startswith("timedelta"):
            return cls._parse_timedelta(json_input)
        return json_input

    @classmethod
    def _parse_timedelta(cls, timedelta_str):
        units = {
            "years": "Y", "months": "M", "weeks": "W", "days": "D", "hours": "h", "minutes": "m",
            "seconds": "s", "milliseconds": "ms", "microseconds": "us", "nanoseconds": "ns",
            "picoseconds": "ps", "femtoseconds": "fs", "attoseconds": "as",
        }
        parts = timedelta_str.split(None, 1)
        if len(parts) != 2:
            raise ValueError(
                "Invalid numpy.timestamp64 value specified: {0}. Format should be <value> <time_unit_code>".format(timedelta_str)
            )
        unit = parts[1].lower()
        if unit not in units:
            raise ValueError("Invalid numpy.timestamp64 value specified: {0}. Unrecognized time unit code".format(timedelta_str))
        return np.timedelta64(int(parts[0]), units[unit])

    @classmethod
    def _get_swagger_object_schema(cls):
        return {"type": "object", "properties": {}}
