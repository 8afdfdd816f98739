import numpy as np

from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType
from inference_schema.schema_decorators import input_schema, output_schema


def init():
    pass


@input_schema("data", NumpyParameterType(np.array([[1.0, 2.0, 3.0]])))
@output_schema(StandardPythonParameterType({"sum": 1.0, "dtype": "float64", "shape": [1, 3]}))
def run(data):
    return {"sum": float(data.sum()), "dtype": str(data.dtype), "shape": list(data.shape),
            "is_ndarray": isinstance(data, np.ndarray)}
