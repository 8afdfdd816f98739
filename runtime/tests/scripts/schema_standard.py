from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType
from inference_schema.schema_decorators import input_schema, output_schema


def init():
    pass


@input_schema("data", StandardPythonParameterType({"a": 1, "b": 2.5}))
@input_schema("factor", StandardPythonParameterType(2.0))
@input_schema("blob", StandardPythonParameterType(b"abc"), optional=True)
@output_schema(StandardPythonParameterType({"result": 1.0}))
def run(data, factor=1.0, blob=None, request_headers=None):
    return {
        "result": (data["a"] + data["b"]) * factor,
        "blob": blob.decode() if blob is not None else None,
        "has_headers": request_headers is not None,
    }
