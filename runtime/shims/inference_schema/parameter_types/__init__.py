# Like the real package, nothing is imported here: NumpyParameterType needs numpy and
# PandasParameterType needs pandas, and a script imports only the one it uses.
