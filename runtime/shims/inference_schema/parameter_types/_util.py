"""Swagger schemas for standard Python sample values."""

import base64
from datetime import date, datetime, time, timezone

from ._constants import DATETIME_FORMAT, TIME_FORMAT
from .abstract_parameter_type import AbstractParameterType


def handle_standard_types(sample_input):
    sample_type = type(sample_input)
    if sample_type is int:
        return {"type": "integer", "format": "int64", "example": sample_input}
    if sample_type in (bytes, bytearray):
        # Bytes travel as base64 strings.
        return {"type": "string", "format": "byte", "example": base64.b64encode(sample_input).decode("utf-8")}
    if sample_type is str:
        return {"type": "string", "example": sample_input}
    if sample_type is float:
        return {"type": "number", "format": "double", "example": sample_input}
    if sample_type is bool:
        return {"type": "boolean", "example": sample_input}
    if sample_type is date:
        return {"type": "string", "format": "date", "example": sample_input.strftime("%Y-%m-%d")}
    if sample_type is datetime:
        # A sample without a time zone is taken as UTC.
        value = sample_input if sample_input.tzinfo is not None else sample_input.replace(tzinfo=timezone.utc)
        return {"type": "string", "format": "date-time", "example": value.strftime(DATETIME_FORMAT)}
    if sample_type is time:
        value = sample_input if sample_input.tzinfo is not None else sample_input.replace(tzinfo=timezone.utc)
        return {"type": "string", "format": "time", "example": value.strftime(TIME_FORMAT)}
    if sample_type in (list, tuple, range):
        return get_swagger_for_list(sample_input)
    if sample_type is dict:
        return get_swagger_for_nested_dict(sample_input)
    return {"type": "object", "example": sample_input}


def _item_swagger(item):
    if isinstance(item, AbstractParameterType):
        return item.input_to_swagger()
    return handle_standard_types(item)


def get_swagger_for_list(python_data):
    example = []
    nested_item_swagger = {"type": "object"}
    for item in python_data:
        nested_item_swagger = dict(_item_swagger(item))
        example.append(nested_item_swagger.pop("example"))
    return {"type": "array", "items": nested_item_swagger, "example": example}


def get_swagger_for_nested_dict(python_data):
    required = []
    properties = {}
    examples = {}
    for key, item in python_data.items():
        required.append(key)
        nested = dict(_item_swagger(item))
        examples[key] = nested.pop("example")
        properties[key] = nested
    return {"type": "object", "required": required, "properties": properties, "example": examples}
