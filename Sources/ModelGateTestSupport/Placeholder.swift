// Placeholder: ModelGateTestSupport is being written.
