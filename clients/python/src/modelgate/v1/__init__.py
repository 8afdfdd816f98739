"""The modelgate.v1 protobuf messages, generated from proto/ when the package is built.

Import the modules directly, such as ``from modelgate.v1 import scoring_pb2``.
"""
