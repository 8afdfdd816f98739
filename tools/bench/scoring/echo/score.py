"""The benchmark's trivial entry script: run() returns its input (a str), so the
figures measure the serving path rather than a model."""


def init():
    pass


def run(raw_data):
    return raw_data
