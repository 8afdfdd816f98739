import pandas as pd

from inference_schema.parameter_types.pandas_parameter_type import PandasParameterType
from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType
from inference_schema.schema_decorators import input_schema, output_schema

SAMPLE = pd.DataFrame({"name": ["a"], "size": [1.5], "count": [2]})


def init():
    pass


@input_schema("records", PandasParameterType(SAMPLE))
@input_schema("split", PandasParameterType(SAMPLE, orient="split"), optional=True)
@output_schema(StandardPythonParameterType({"rows": 1}))
def run(records, split=None):
    result = {
        "rows": len(records),
        "columns": list(records.columns),
        "dtypes": {column: str(dtype) for column, dtype in records.dtypes.items()},
        "total": float(records["size"].sum()),
    }
    if split is not None:
        result["split_rows"] = len(split)
    return result
