// Placeholder: ModelGateServer is being written.
