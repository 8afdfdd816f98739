// Placeholder: ModelGateClient is being written.
