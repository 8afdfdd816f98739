"""``@input_schema`` and ``@output_schema``.

``input_schema(name, type)`` records the parameter's swagger schema and, when the decorated
function is called, converts that argument from its JSON form to the declared type (a
NumPy array, a pandas DataFrame, bytes from base64, a datetime from a string, ...), as the
real package does. ``output_schema`` only records the schema; the return value is untouched.
"""

import copy
import functools

from ._constants import INPUT_SCHEMA_ATTR, OUTPUT_SCHEMA_ATTR
from .parameter_types.abstract_parameter_type import AbstractParameterType
from .schema_util import (
    __functions_schema__,
    __versions__,
    _get_arg_names,
    _get_function_full_qual_name,
)


def input_schema(param_name, param_type, convert_to_provided_type=True, optional=False):
    """Declares the type of ``run()``'s parameter ``param_name`` with a sample value."""
    if not isinstance(param_type, AbstractParameterType):
        raise Exception("Error, provided param_type must be a subclass" + "of the AbstractParameterType.")

    swagger_schema = {param_name: param_type.input_to_swagger()}
    supported_versions = param_type.supported_versions()

    def decorator(user_run):
        _record(INPUT_SCHEMA_ATTR, swagger_schema, supported_versions, user_run)

        @functools.wraps(user_run)
        def wrapper(*args, **kwargs):
            is_hftransformersv2 = False
            if len(args) > 0 and type(args[0]) is dict:
                keys = args[0].keys()
                is_hftransformersv2 = len(keys) == 2 and "parameters" in keys and "input_string" in keys
            if convert_to_provided_type and not is_hftransformersv2:
                args = list(args)
                if param_name not in kwargs and not optional:
                    arg_names = _get_arg_names(user_run)
                    if param_name not in arg_names:
                        raise Exception(
                            'Error, provided param_name "{}" is not in the decorated function.'.format(param_name)
                        )
                    position = arg_names.index(param_name)
                    args[position] = _deserialize_input_argument(args[position], param_type, param_name)
                elif optional and (param_name not in kwargs or not kwargs[param_name]):
                    pass
                else:
                    kwargs[param_name] = _deserialize_input_argument(kwargs[param_name], param_type, param_name)
                args = tuple(args)
            return user_run(*args, **kwargs)

        return wrapper

    return decorator


def output_schema(output_type):
    """Declares the type ``run()`` returns, with a sample value."""
    if not isinstance(output_type, AbstractParameterType):
        raise Exception("Error, provided param_type must be a subclass " + "of the AbstractParameterType.")

    swagger_schema = output_type.input_to_swagger()
    supported_versions = output_type.supported_versions()

    def decorator(user_run):
        _record(OUTPUT_SCHEMA_ATTR, swagger_schema, supported_versions, user_run)

        @functools.wraps(user_run)
        def wrapper(*args, **kwargs):
            return user_run(*args, **kwargs)

        return wrapper

    return decorator


def _record(attr, schema, versions, user_func):
    name = _get_function_full_qual_name(user_func)
    entry = __functions_schema__.setdefault(name, {})
    if attr == INPUT_SCHEMA_ATTR:
        if INPUT_SCHEMA_ATTR not in entry:
            arg_names = _get_arg_names(user_func)
            entry[INPUT_SCHEMA_ATTR] = {
                "type": "object",
                "properties": {arg: {} for arg in arg_names},
                "example": {arg: "" for arg in arg_names},
            }
        for key, item in schema.items():
            item = copy.deepcopy(item)
            entry[INPUT_SCHEMA_ATTR]["example"][key] = item.pop("example", None)
            entry[INPUT_SCHEMA_ATTR]["properties"][key] = item
    else:
        if OUTPUT_SCHEMA_ATTR in entry:
            raise Exception("Error, output schema already defined for function: {}.".format(name))
        entry[OUTPUT_SCHEMA_ATTR] = schema
    __versions__.setdefault(name, {})[attr] = {"type": "object", "versions": versions}


def _deserialize_input_argument(input_data, param_type, param_name):
    """Converts one argument to the type ``param_type`` describes, recursing into samples
    that nest other parameter types inside a dict or a list."""
    sample_data_type = param_type.sample_data_type
    if sample_data_type is dict:
        if not isinstance(input_data, dict):
            raise ValueError(
                "Invalid input data type to parse. Expected: {0} but got {1}".format(sample_data_type, type(input_data))
            )
        for key, nested in param_type.sample_data_type_map.items():
            if key in input_data:
                input_data[key] = _deserialize_input_argument(input_data[key], nested, key)
    elif sample_data_type in (list, tuple):
        if not isinstance(input_data, (list, tuple)):
            raise ValueError(
                "Invalid input data type to parse. Expected: {0} but got {1}".format(sample_data_type, type(input_data))
            )
        if param_type.sample_data_type_list:
            nested = param_type.sample_data_type_list[0]
            input_data = [_deserialize_input_argument(item, nested, param_name) for item in input_data]
    elif not isinstance(input_data, sample_data_type):
        input_data = param_type.deserialize_input(input_data)
    return input_data
