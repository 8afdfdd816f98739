"""The base class of every parameter type, and the swagger sample helpers they share."""

import base64
import datetime as dt
from abc import ABC, abstractmethod


class AbstractParameterType(ABC):
    """A parameter type: a sample value, the swagger schema derived from it, and the
    conversion of a JSON value to the sample's type. Subclass it for custom types by
    overriding ``deserialize_input`` and ``input_to_swagger``."""

    def __init__(self, sample_input):
        self.sample_input = sample_input
        self.sample_data_type = type(sample_input)

    def supported_versions(self):
        schema = self.input_to_swagger()
        supported = ["3.0", "3.1"]
        if self._supports_swagger_2(schema["example"]):
            supported += ["2.0"]
        return sorted(supported)

    def _supports_swagger_2(self, obj):
        # Swagger 2.0 cannot describe arrays whose items differ in type.
        if type(obj) is list and len(obj) > 0:
            first_type = type(obj[0])
            for item in obj:
                if type(item) is not first_type:
                    return False
                if type(item) is list and not self._supports_swagger_2(item):
                    return False
        elif type(obj) is dict:
            return all(self._supports_swagger_2(item) for item in obj.values())
        return True

    @abstractmethod
    def deserialize_input(self, input_data):
        """Converts a JSON-like value into the concrete object."""

    @abstractmethod
    def input_to_swagger(self):
        """The swagger schema (with an ``example``) of the sample."""

    @classmethod
    def _date_item_to_string(cls, date_item):
        return date_item.astype(dt.datetime).strftime("%Y-%m-%d")

    @classmethod
    def _timestamp_item_to_string(cls, date_item):
        try:
            from pandas import Timestamp
        except ImportError:
            return cls._datetime_item_to_string(date_item)
        if type(date_item) is Timestamp:
            return date_item.strftime("%Y-%m-%d %H:%M:%S,%f")
        return cls._datetime_item_to_string(date_item)

    @classmethod
    def _datetime_item_to_string(cls, date_item):
        return date_item.astype(dt.datetime).strftime("%Y-%m-%d %H:%M:%S,%f")

    @classmethod
    def _get_swagger_sample(cls, iterable_records, max_count, item_schema):
        return [cls._get_data_record_swagger_sample(item_schema, iterable_records[i]) for i in range(max_count)]

    @classmethod
    def _get_data_record_swagger_sample(cls, item_swagger_schema, data_item):
        item_type = item_swagger_schema["type"]
        if item_type == "object":
            if "properties" in item_swagger_schema:
                return {
                    field: cls._get_data_record_swagger_sample(schema, data_item[field])
                    for field, schema in item_swagger_schema["properties"].items()
                }
            if "additionalProperties" in item_swagger_schema:
                return {
                    field: cls._get_data_record_swagger_sample(item_swagger_schema["additionalProperties"], data_item[field])
                    for field in data_item
                }
            return str(data_item)
        if item_type == "array":
            return [
                cls._get_data_record_swagger_sample(item_swagger_schema["items"], data_item[i])
                for i in range(len(data_item))
            ]
        if item_type == "number":
            return float(data_item)
        if item_type == "integer":
            return int(data_item)
        if item_type == "bool":
            return bool(data_item)
        if item_type == "string" and "format" in item_swagger_schema:
            fmt = item_swagger_schema["format"]
            if fmt == "date":
                return cls._date_item_to_string(data_item)
            if fmt == "date-time":
                return cls._timestamp_item_to_string(data_item)
            if fmt == "binary":
                return base64.b64encode(data_item).decode("utf-8")
        return str(data_item)
