# Module-style imports, not only "from ... import": the package parents must exist too.
import azureml.contrib.services.aml_request
import azureml.contrib.services.aml_response as aml_response
import inference_schema.schema_decorators  # noqa: F401


def init():
    pass


@azureml.contrib.services.aml_request.rawhttp
def run(request):
    return aml_response.AMLResponse("plain imports work", 200, {"Content-Type": "text/plain"})
