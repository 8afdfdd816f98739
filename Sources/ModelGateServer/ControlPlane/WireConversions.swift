public import ModelGateAPI

// Conversions between stored records and modelgate.v1 messages. They live
// together because each is a few lines and all change with the schema.

extension WorkspaceRole {
    /// The wire role; every stored role has one.
    public var wireRole: Role {
        switch self {
        case .reader: .reader
        case .contributor: .contributor
        case .owner: .owner
        }
    }

    /// The stored role for a wire role, or `nil` for `ROLE_UNSPECIFIED` and unknown values.
    public init?(wireRole: Role) {
        switch wireRole {
        case .reader: self = .reader
        case .contributor: self = .contributor
        case .owner: self = .owner
        default: return nil
        }
    }
}

extension RoleAssignment {
    public init(_ record: RoleAssignmentRecord) {
        self.init()
        self.clientID = record.clientID
        self.workspace = record.workspace
        self.role = record.role.wireRole
        self.assignedAtUnixMs = record.assignedAt.millisecondsSince1970
        self.assignedBy = record.assignedBy
    }
}

extension Principal {
    public init(_ record: PrincipalRecord, roleAssignments: [RoleAssignmentRecord]) {
        self.init()
        self.clientID = record.clientID
        self.displayName = record.displayName
        self.kind = record.kind == .servicePrincipal ? .servicePrincipal : .user
        self.createdAtUnixMs = record.createdAt.millisecondsSince1970
        self.roleAssignments = roleAssignments.map(RoleAssignment.init)
        self.admin = record.isAdmin
    }
}

extension Workspace {
    public init(_ record: WorkspaceRecord) {
        self.init()
        self.name = record.name
        self.region = record.region
        self.description = record.description
        self.tags = record.tags
        self.createdAtUnixMs = record.createdAt.millisecondsSince1970
        self.createdBy = record.createdBy
    }
}

extension Region {
    public init(_ record: RegionRecord) {
        self.init()
        self.name = record.name
        self.displayName = record.displayName
        self.available = record.isAvailable
        self.latencies = record.roundTripMilliseconds.sorted { $0.key < $1.key }.map { name, milliseconds in
            var latency = RegionLatency()
            latency.region = name
            latency.roundTripMs = UInt32(clamping: milliseconds)
            return latency
        }
        self.utcOffsetMinutes = Int32(clamping: record.utcOffsetMinutes)
        self.unavailableReason = record.unavailableReason
        self.availabilityChangedAtUnixMs = record.availabilityChangedAt?.millisecondsSince1970 ?? 0
    }
}
