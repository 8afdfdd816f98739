public import ModelGateWire

/// Every message, enum, service and method of `proto/modelgate/v1`, as the hand-written types
/// implement them.
///
/// A test compares this with the descriptor set `protoc` writes, so adding a message or call
/// to `proto/` without adding it here (or the other way round) fails that test.
public enum ModelGateSchema {
    /// Every message type, transport messages included.
    public static let messages: [any ProtoMessage.Type] = [
        CallHeaders.self,
        Trailers.self,
        Settings.self,
        GoAway.self,
        BlobRef.self,
        LatencyHistogram.self,
        Principal.self,
        RoleAssignment.self,
        SignInRequest.self,
        SignInResponse.self,
        CreatePrincipalRequest.self,
        CreatePrincipalResponse.self,
        GetPrincipalRequest.self,
        ListPrincipalsRequest.self,
        ListPrincipalsResponse.self,
        DeletePrincipalRequest.self,
        DeletePrincipalResponse.self,
        AssignRoleRequest.self,
        RemoveRoleRequest.self,
        RemoveRoleResponse.self,
        ListRoleAssignmentsRequest.self,
        ListRoleAssignmentsResponse.self,
        Workspace.self,
        CreateWorkspaceRequest.self,
        GetWorkspaceRequest.self,
        ListWorkspacesRequest.self,
        ListWorkspacesResponse.self,
        DeleteWorkspaceRequest.self,
        DeleteWorkspaceResponse.self,
        Region.self,
        RegionLatency.self,
        ListRegionsRequest.self,
        ListRegionsResponse.self,
        SetRegionAvailabilityRequest.self,
        SetRegionLatencyRequest.self,
        ComputeTarget.self,
        AttachComputeRequest.self,
        GetComputeRequest.self,
        ListComputesRequest.self,
        ListComputesResponse.self,
        DetachComputeRequest.self,
        DetachComputeResponse.self,
        Model.self,
        ModelFile.self,
        ModelRegistration.self,
        ModelFileChunk.self,
        RegisterModelRequest.self,
        GetModelRequest.self,
        ListModelsRequest.self,
        ListModelsResponse.self,
        DeleteModelRequest.self,
        DeleteModelResponse.self,
        Environment.self,
        RegisterEnvironmentRequest.self,
        GetEnvironmentRequest.self,
        ListEnvironmentsRequest.self,
        ListEnvironmentsResponse.self,
        DeploymentConfig.self,
        InferenceConfig.self,
        ReplicaStatus.self,
        WebService.self,
        DeploymentProgress.self,
        DeployRequest.self,
        DeployResponse.self,
        WaitForDeploymentRequest.self,
        GetServiceRequest.self,
        ListServicesRequest.self,
        ListServicesResponse.self,
        UpdateServiceRequest.self,
        DeleteServiceRequest.self,
        DeleteServiceResponse.self,
        GetLogsRequest.self,
        GetLogsResponse.self,
        LogLine.self,
        Endpoint.self,
        EndpointVersion.self,
        CreateEndpointRequest.self,
        GetEndpointRequest.self,
        ListEndpointsRequest.self,
        ListEndpointsResponse.self,
        UpdateEndpointRequest.self,
        DeleteEndpointRequest.self,
        DeleteEndpointResponse.self,
        CreateEndpointVersionRequest.self,
        UpdateEndpointVersionRequest.self,
        DeleteEndpointVersionRequest.self,
        GetCollectedDataRequest.self,
        GetCollectedDataResponse.self,
        CollectedRecord.self,
        GetKeysRequest.self,
        GetKeysResponse.self,
        RegenKeyRequest.self,
        RegenKeyResponse.self,
        GetTokenRequest.self,
        GetTokenResponse.self,
        GetSigningKeysRequest.self,
        GetSigningKeysResponse.self,
        JsonWebKey.self,
        HealthRequest.self,
        HealthResponse.self,
        ServiceHealth.self,
        ServiceMetrics.self,
        ScoreRequest.self,
        ScoreResponse.self,
    ]

    /// Every enum type, transport enums included.
    public static let enums: [any ProtoEnum.Type] = [
        FrameTypeEnum.self,
        FrameFlagEnum.self,
        StatusCode.self,
        ComputeType.self,
        Toggle.self,
        PrincipalKind.self,
        Role.self,
        ClusterPurpose.self,
        WebServiceState.self,
        EndpointVersionType.self,
        DeploymentPhase.self,
        EnvironmentCacheResult.self,
        ReplicaState.self,
        LogSource.self,
        KeyType.self,
        ServingStatus.self,
    ]

    /// Every RPC service with its methods, in `proto/` order.
    public static let services: [ServiceDescriptor] = [
        ServiceDescriptor(name: "modelgate.v1.IdentityService", methods: [
            MethodDescriptor(
                service: "modelgate.v1.IdentityService", name: "SignIn",
                inputType: SignInRequest.self, outputType: SignInResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.IdentityService", name: "CreatePrincipal",
                inputType: CreatePrincipalRequest.self, outputType: CreatePrincipalResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.IdentityService", name: "GetPrincipal",
                inputType: GetPrincipalRequest.self, outputType: Principal.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.IdentityService", name: "ListPrincipals",
                inputType: ListPrincipalsRequest.self, outputType: ListPrincipalsResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.IdentityService", name: "DeletePrincipal",
                inputType: DeletePrincipalRequest.self, outputType: DeletePrincipalResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.IdentityService", name: "AssignRole",
                inputType: AssignRoleRequest.self, outputType: RoleAssignment.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.IdentityService", name: "RemoveRole",
                inputType: RemoveRoleRequest.self, outputType: RemoveRoleResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.IdentityService", name: "ListRoleAssignments",
                inputType: ListRoleAssignmentsRequest.self, outputType: ListRoleAssignmentsResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
        ]),
        ServiceDescriptor(name: "modelgate.v1.WorkspaceService", methods: [
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "CreateWorkspace",
                inputType: CreateWorkspaceRequest.self, outputType: Workspace.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "GetWorkspace",
                inputType: GetWorkspaceRequest.self, outputType: Workspace.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "ListWorkspaces",
                inputType: ListWorkspacesRequest.self, outputType: ListWorkspacesResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "DeleteWorkspace",
                inputType: DeleteWorkspaceRequest.self, outputType: DeleteWorkspaceResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "ListRegions",
                inputType: ListRegionsRequest.self, outputType: ListRegionsResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "SetRegionAvailability",
                inputType: SetRegionAvailabilityRequest.self, outputType: Region.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "SetRegionLatency",
                inputType: SetRegionLatencyRequest.self, outputType: Region.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "AttachCompute",
                inputType: AttachComputeRequest.self, outputType: ComputeTarget.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "GetCompute",
                inputType: GetComputeRequest.self, outputType: ComputeTarget.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "ListComputes",
                inputType: ListComputesRequest.self, outputType: ListComputesResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.WorkspaceService", name: "DetachCompute",
                inputType: DetachComputeRequest.self, outputType: DetachComputeResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
        ]),
        ServiceDescriptor(name: "modelgate.v1.ModelService", methods: [
            MethodDescriptor(
                service: "modelgate.v1.ModelService", name: "RegisterModel",
                inputType: RegisterModelRequest.self, outputType: Model.self,
                clientStreaming: true, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.ModelService", name: "GetModel",
                inputType: GetModelRequest.self, outputType: Model.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.ModelService", name: "ListModels",
                inputType: ListModelsRequest.self, outputType: ListModelsResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.ModelService", name: "DeleteModel",
                inputType: DeleteModelRequest.self, outputType: DeleteModelResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.ModelService", name: "RegisterEnvironment",
                inputType: RegisterEnvironmentRequest.self, outputType: Environment.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.ModelService", name: "GetEnvironment",
                inputType: GetEnvironmentRequest.self, outputType: Environment.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.ModelService", name: "ListEnvironments",
                inputType: ListEnvironmentsRequest.self, outputType: ListEnvironmentsResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
        ]),
        ServiceDescriptor(name: "modelgate.v1.DeploymentService", methods: [
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "Deploy",
                inputType: DeployRequest.self, outputType: DeployResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "WaitForDeployment",
                inputType: WaitForDeploymentRequest.self, outputType: DeploymentProgress.self,
                clientStreaming: false, serverStreaming: true
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "GetService",
                inputType: GetServiceRequest.self, outputType: WebService.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "ListServices",
                inputType: ListServicesRequest.self, outputType: ListServicesResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "UpdateService",
                inputType: UpdateServiceRequest.self, outputType: WebService.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "DeleteService",
                inputType: DeleteServiceRequest.self, outputType: DeleteServiceResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "GetLogs",
                inputType: GetLogsRequest.self, outputType: GetLogsResponse.self,
                clientStreaming: false, serverStreaming: true
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "CreateEndpoint",
                inputType: CreateEndpointRequest.self, outputType: Endpoint.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "GetEndpoint",
                inputType: GetEndpointRequest.self, outputType: Endpoint.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "ListEndpoints",
                inputType: ListEndpointsRequest.self, outputType: ListEndpointsResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "UpdateEndpoint",
                inputType: UpdateEndpointRequest.self, outputType: Endpoint.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "DeleteEndpoint",
                inputType: DeleteEndpointRequest.self, outputType: DeleteEndpointResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "CreateEndpointVersion",
                inputType: CreateEndpointVersionRequest.self, outputType: Endpoint.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "UpdateEndpointVersion",
                inputType: UpdateEndpointVersionRequest.self, outputType: Endpoint.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "DeleteEndpointVersion",
                inputType: DeleteEndpointVersionRequest.self, outputType: Endpoint.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.DeploymentService", name: "GetCollectedData",
                inputType: GetCollectedDataRequest.self, outputType: GetCollectedDataResponse.self,
                clientStreaming: false, serverStreaming: true
            ),
        ]),
        ServiceDescriptor(name: "modelgate.v1.AuthService", methods: [
            MethodDescriptor(
                service: "modelgate.v1.AuthService", name: "GetKeys",
                inputType: GetKeysRequest.self, outputType: GetKeysResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.AuthService", name: "RegenKey",
                inputType: RegenKeyRequest.self, outputType: RegenKeyResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.AuthService", name: "GetToken",
                inputType: GetTokenRequest.self, outputType: GetTokenResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.AuthService", name: "GetSigningKeys",
                inputType: GetSigningKeysRequest.self, outputType: GetSigningKeysResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
        ]),
        ServiceDescriptor(name: "modelgate.v1.ScoringService", methods: [
            MethodDescriptor(
                service: "modelgate.v1.ScoringService", name: "Health",
                inputType: HealthRequest.self, outputType: HealthResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.ScoringService", name: "Score",
                inputType: ScoreRequest.self, outputType: ScoreResponse.self,
                clientStreaming: false, serverStreaming: false
            ),
            MethodDescriptor(
                service: "modelgate.v1.ScoringService", name: "ScoreStream",
                inputType: ScoreRequest.self, outputType: ScoreResponse.self,
                clientStreaming: true, serverStreaming: true
            ),
        ]),
    ]

    /// The method a full method name such as `/modelgate.v1.WorkspaceService/CreateWorkspace` names, if any.
    public static func method(forPath path: String) -> MethodDescriptor? {
        methodsByPath[path]
    }

    private static let methodsByPath: [String: MethodDescriptor] = Dictionary(
        uniqueKeysWithValues: services.flatMap(\.methods).map { ($0.path, $0) }
    )
}
