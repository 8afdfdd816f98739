"""``PandasParameterType``: a parameter that arrives as JSON in one of pandas' orients and
reaches ``run()`` as a DataFrame with the sample's column types."""

import json
from io import StringIO
from warnings import warn

import pandas as pd

from ._constants import SWAGGER_FORMAT_CONSTANTS
from ._util import get_swagger_for_list, get_swagger_for_nested_dict
from .abstract_parameter_type import AbstractParameterType

_ORIENTS = ("split", "records", "index", "columns", "values", "table")


class PandasParameterType(AbstractParameterType):
    """A parameter typed by a sample DataFrame."""

    def __init__(self, sample_input, enforce_column_type=True, enforce_shape=True, apply_column_names=False,
                 orient="records"):
        if not isinstance(sample_input, pd.DataFrame):
            raise Exception("Invalid sample input provided, must provide a sample Pandas Dataframe.")
        super().__init__(sample_input)
        self.enforce_column_type = enforce_column_type
        self.enforce_shape = enforce_shape
        if apply_column_names:
            warn("apply_column_names is a deprecated parameter and will be removed in a future update",
                 DeprecationWarning, stacklevel=2)
        self.apply_column_names = apply_column_names
        if orient not in _ORIENTS:
            raise Exception("Invalid orient provided, must be one of ('split', 'records', 'index', 'columns', "
                            "'values', or 'table')")
        self.orient = orient

    def deserialize_input(self, input_data):
        if isinstance(input_data, pd.DataFrame):
            return input_data
        if not isinstance(input_data, (list, dict)):
            raise Exception("Error, unable to convert input of type {} into Pandas Dataframe".format(type(input_data)))

        data_frame = pd.read_json(StringIO(json.dumps(input_data)), orient=self.orient, dtype=False)

        if self.apply_column_names:
            data_frame.columns = self.sample_input.columns.copy()

        if self.enforce_column_type:
            sample_types = self.sample_input.dtypes.to_dict()
            converted_types = {column: sample_types.get(column, object) for column in data_frame.columns}
            for column, column_type in converted_types.items():
                if str(column_type).startswith("timedelta"):
                    data_frame[column] = pd.to_timedelta(data_frame[column])
            try:
                data_frame = data_frame.astype(dtype=converted_types)
            except TypeError as error:
                if "Cannot use .astype to convert from timezone-naive dtype to timezone-aware dtype" in error.args[0]:
                    raise Exception("As of pandas 2.0, can no longer convert from timezone-naive dtype to "
                                    "timezone-aware dtype. Please make sure that the provided input data matches "
                                    "the expected timezone handling of the provided deployment sample.") from error
                raise

        if self.enforce_shape:
            expected_shape = self.sample_input.shape
            if len(data_frame.shape) != len(expected_shape):
                raise ValueError(
                    "Invalid input data frame: a data frame with {0} dimensions is expected; "
                    "input has {1} [shape {2}]".format(len(expected_shape), len(data_frame.shape), data_frame.shape)
                )
            for dim in range(1, len(expected_shape)):
                if data_frame.shape[dim] != expected_shape[dim]:
                    raise ValueError(
                        "Invalid input data frame: data frame has size {0} on dimension #{1}, "
                        "while expected value is {2}".format(data_frame.shape[dim], dim, expected_shape[dim])
                    )
        return data_frame

    def input_to_swagger(self):
        sample = json.loads(self.sample_input.to_json(orient=self.orient, date_format="iso"))
        if self.orient in ("records", "values"):
            schema = get_swagger_for_list(sample)
        else:
            schema = get_swagger_for_nested_dict(sample)

        def formats(column):
            kind = str(self.sample_input.dtypes[column])
            if kind.startswith("datetime"):
                return "date-time"
            if kind.startswith("timedelta"):
                return "timedelta"
            return None

        for column in self.sample_input.columns:
            fmt = formats(column)
            if fmt is None:
                continue
            if self.orient == "records":
                schema["items"]["properties"][str(column)]["format"] = fmt
            elif self.orient == "index":
                for row in schema["properties"].values():
                    row["properties"][str(column)]["format"] = fmt
            elif self.orient == "columns":
                for cell in schema["properties"][str(column)]["properties"].values():
                    cell["format"] = fmt
            elif self.orient == "table":
                schema["properties"]["data"]["items"]["properties"][str(column)]["format"] = fmt
        schema["format"] = SWAGGER_FORMAT_CONSTANTS.PANDAS_FORMAT.format(self.orient)
        return schema
