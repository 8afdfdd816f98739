# Fails to import, as a script whose environment lacks a package does.
import modelgate_no_such_package  # noqa: F401


def init():
    pass


def run(raw_data):
    return raw_data
