"""A standard-library stand-in for the ``inference-schema`` package (PyPI), shipped with the
ModelGate replica harness and used only when the real package is not installed.

It keeps the public API a score.py uses (``schema_decorators.input_schema`` /
``output_schema``, the ``parameter_types`` classes, ``schema_util``) and the behaviour that
matters when serving: the JSON value of each decorated parameter is converted to the
declared type before ``run()`` sees it. The swagger fragments are produced too.
"""
