// Placeholder: ModelGateRPC is being written.
