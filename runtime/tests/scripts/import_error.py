import no_such_module_for_modelgate_tests  # noqa: F401


def init():
    pass


def run(raw_data):
    return raw_data
