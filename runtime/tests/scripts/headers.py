def init():
    pass


def run(raw_data, request_headers):
    return {"data": raw_data, "headers": request_headers}
