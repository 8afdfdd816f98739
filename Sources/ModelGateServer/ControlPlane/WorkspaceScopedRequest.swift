internal import ModelGateAPI

/// A control-plane request that acts inside one workspace, named in the request.
///
/// The authenticated-call wrappers use it to refuse a call for a workspace in
/// a downed region before the handler reads anything from the database (see
/// ``RegionAvailability``). Handlers still run their own
/// ``AccessPolicy/require(_:on:_:to:)``, which checks the same thing, so a
/// request type missing here is only slower to refuse, never let through.
protocol WorkspaceScopedRequest {
    /// The workspace the call acts in.
    var workspaceName: String { get }
    /// What the call needs from the workspace's region, for the `UNAVAILABLE` message.
    var regionalService: String { get }
}

extension WorkspaceScopedRequest {
    var regionalService: String { "workspace '\(self.workspaceName)'" }
}

extension GetWorkspaceRequest: WorkspaceScopedRequest { var workspaceName: String { self.name } }
extension DeleteWorkspaceRequest: WorkspaceScopedRequest { var workspaceName: String { self.name } }
extension AttachComputeRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension GetComputeRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension ListComputesRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension DetachComputeRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension AssignRoleRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension RemoveRoleRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension GetModelRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension ListModelsRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension DeleteModelRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension RegisterEnvironmentRequest: WorkspaceScopedRequest { var workspaceName: String { self.environment?.workspace ?? "" } }
extension GetEnvironmentRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension ListEnvironmentsRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension DeployRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension WaitForDeploymentRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension GetServiceRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension ListServicesRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension UpdateServiceRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension DeleteServiceRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension GetLogsRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension GetCollectedDataRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension CreateEndpointRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension GetEndpointRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension ListEndpointsRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension UpdateEndpointRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension DeleteEndpointRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension CreateEndpointVersionRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension UpdateEndpointVersionRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension DeleteEndpointVersionRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension GetKeysRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension RegenKeyRequest: WorkspaceScopedRequest { var workspaceName: String { self.workspace } }
extension GetTokenRequest: WorkspaceScopedRequest {
    var workspaceName: String { self.workspace }
    var regionalService: String { "the token service of workspace '\(self.workspace)'" }
}
