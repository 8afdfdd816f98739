"""Swagger types for NumPy dtypes."""


class Dtype2Swagger:
    _simple = {
        "int8": {"type": "integer", "format": "int8"},
        "int16": {"type": "integer", "format": "int16"},
        "int32": {"type": "integer", "format": "int32"},
        "int64": {"type": "integer", "format": "int64"},
        "uint8": {"type": "integer", "format": "uint8"},
        "uint16": {"type": "integer", "format": "uint16"},
        "uint32": {"type": "integer", "format": "uint32"},
        "uint64": {"type": "integer", "format": "uint64"},
        "bool": {"type": "boolean"},
        "float16": {"type": "number", "format": "float"},
        "float32": {"type": "number", "format": "float"},
        "float64": {"type": "number", "format": "double"},
        "object": {"type": "object"},
    }

    @staticmethod
    def convert_dtype_to_swagger(dtype):
        if len(dtype) == 0:
            if dtype.subdtype is None:
                return Dtype2Swagger._convert_simple_dtype_to_swagger(dtype)
            item = Dtype2Swagger.convert_dtype_to_swagger(dtype.subdtype[0])
            return Dtype2Swagger.handle_swagger_array(item, dtype.subdtype[1])
        properties = {name: Dtype2Swagger.convert_dtype_to_swagger(dtype[name]) for name in dtype.names}
        return {"type": "object", "properties": properties}

    @staticmethod
    def handle_swagger_array(item_swagger_type, shape):
        swagger = {"type": "array", "items": item_swagger_type}
        for _ in range(len(shape) - 1):
            swagger = {"type": "array", "items": swagger}
        return swagger

    @staticmethod
    def get_swagger_object_schema():
        return {"type": "object", "properties": {}}

    @staticmethod
    def _convert_simple_dtype_to_swagger(numpy_type):
        name = numpy_type.name.lower()
        if name in Dtype2Swagger._simple:
            return dict(Dtype2Swagger._simple[name])
        if name.startswith("datetime"):
            return {"type": "string", "format": "date-time"}
        if name.startswith("str"):
            return {"type": "string"}
        if name.startswith("bytes") or name.startswith("void"):
            return {"type": "string", "format": "binary"}
        if name.startswith("timedelta"):
            return {"type": "string", "format": "timedelta"}
        raise TypeError("We currently do not support extracting schema from data of type {}".format(name))
