// Placeholder: ModelGateCLI is being written.
