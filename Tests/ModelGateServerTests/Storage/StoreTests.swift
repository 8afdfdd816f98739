import Foundation
import ModelGateAPI
import ModelGateServer
import Testing

@Suite("Stores")
struct StoreTests {
    static let epoch = Date(timeIntervalSince1970: 1_750_000_000)

    static func workspace(_ name: String, region: String = "westeurope") -> WorkspaceRecord {
        WorkspaceRecord(name: name, id: UUID().uuidString, region: region, description: "d", tags: ["k": "v"], createdBy: "admin", createdAt: epoch)
    }

    @Test("Workspaces can be created, read, listed by name and deleted")
    func workspaceLifecycle() async throws {
        try await withMigratedDatabase { database, _ in
            let store = WorkspaceStore(database: database)
            try await store.create(Self.workspace("zeta"))
            try await store.create(Self.workspace("alpha", region: "eastus"))

            #expect(try await store.workspace(named: "alpha") == Self.workspace("alpha", region: "eastus").with(id: store.workspace(named: "alpha")?.id))
            #expect(try await store.list().map(\.name) == ["alpha", "zeta"])

            try await store.delete(named: "ALPHA")
            #expect(try await store.workspace(named: "alpha") == nil)
            await #expect(throws: StoreError.notFound(kind: "workspace", name: "alpha")) {
                try await store.delete(named: "alpha")
            }
        }
    }

    @Test("Workspace names are unique regardless of case")
    func duplicateWorkspaceNameIsRejected() async throws {
        try await withMigratedDatabase { database, _ in
            let store = WorkspaceStore(database: database)
            try await store.create(Self.workspace("prod"))
            await #expect(throws: StoreError.alreadyExists(kind: "workspace", name: "Prod")) {
                try await store.create(Self.workspace("Prod"))
            }
        }
    }

    @Test("A workspace in an unknown region is rejected")
    func unknownRegionIsRejected() async throws {
        try await withMigratedDatabase { database, _ in
            await #expect(throws: StoreError.notFound(kind: "region", name: "moon")) {
                try await WorkspaceStore(database: database).create(Self.workspace("prod", region: "moon"))
            }
        }
    }

    @Test("Creating a workspace makes its creator Owner; deleting it removes every role on it")
    func workspaceOwnershipFollowsLifecycle() async throws {
        try await withMigratedDatabase { database, _ in
            let principal = try await AccessTokenIssuerTests.makePrincipal(database)
            let principals = PrincipalStore(database: database)
            let workspaces = WorkspaceStore(database: database)

            try await workspaces.create(Self.workspace("prod"), ownerPrincipalID: principal.id)
            #expect(try await principals.roleAssignments(principalID: principal.id).map(\.role) == [.owner])

            try await workspaces.delete(named: "prod")
            #expect(try await principals.roleAssignments(principalID: principal.id).isEmpty)
        }
    }

    @Test("Assigning a role replaces the principal's role on that workspace; removing takes it away")
    func roleAssignmentsReplaceAndRemove() async throws {
        try await withMigratedDatabase { database, _ in
            let principal = try await AccessTokenIssuerTests.makePrincipal(database)
            let store = PrincipalStore(database: database)

            try await store.assign(.reader, on: "prod", to: principal.id, by: "admin", at: Self.epoch)
            try await store.assign(.contributor, on: "PROD", to: principal.id, by: "admin", at: Self.epoch)
            try await store.assign(.owner, on: "dev", to: principal.id, by: "admin", at: Self.epoch)

            let assignments = try await store.roleAssignments(principalID: principal.id)
            #expect(assignments.map(\.workspace) == ["dev", "prod"])
            #expect(assignments.map(\.role) == [.owner, .contributor])
            #expect(assignments.allSatisfy { $0.clientID == principal.clientID && $0.assignedBy == "admin" })
            #expect(try await store.roleAssignments(workspace: "Prod").count == 1)

            #expect(try await !store.removeRole(.reader, on: "prod", from: principal.id))
            #expect(try await store.removeRole(nil, on: "prod", from: principal.id))
            #expect(try await store.roleAssignments(principalID: principal.id).map(\.workspace) == ["dev"])
        }
    }

    @Test("Assigning a role to an unknown principal is NOT_FOUND")
    func assigningToUnknownPrincipalFails() async throws {
        try await withMigratedDatabase { database, _ in
            await #expect(throws: StoreError.notFound(kind: "principal", name: "nobody")) {
                try await PrincipalStore(database: database).assign(.reader, on: "prod", to: "nobody", by: "admin", at: Self.epoch)
            }
        }
    }

    @Test("A taken client id is ALREADY_EXISTS; credentials come back as stored")
    func principalsAreUniqueByClientID() async throws {
        try await withMigratedDatabase { database, _ in
            let principal = try await AccessTokenIssuerTests.makePrincipal(database, clientID: "dup")
            await #expect(throws: StoreError.alreadyExists(kind: "principal", name: "dup")) {
                _ = try await AccessTokenIssuerTests.makePrincipal(database, clientID: "dup")
            }
            let credentials = try #require(try await PrincipalStore(database: database).credentials(clientID: "dup"))
            #expect(credentials.0 == principal)
            #expect(credentials.1 == HashedSecret(hash: [1], salt: [2], iterations: 1))
            #expect(try await PrincipalStore(database: database).count() == 1)
        }
    }

    @Test("Region availability and latency changes are stored, latency in both directions")
    func regionChangesAreStored() async throws {
        try await withMigratedDatabase { database, _ in
            let store = RegionStore(database: database)

            let down = try await store.setAvailability(of: "westeurope", to: false, reason: "drill", at: Self.epoch)
            #expect(!down.isAvailable)
            #expect(down.unavailableReason == "drill")
            #expect(down.availabilityChangedAt == Self.epoch)
            let up = try await store.setAvailability(of: "westeurope", to: true, at: Self.epoch.addingTimeInterval(60))
            #expect(up.isAvailable && up.unavailableReason.isEmpty)

            try await store.setLatency(between: "japaneast", and: "eastus", milliseconds: 7)
            #expect(try await store.latency(between: "eastus", and: "japaneast") == 7)
            #expect(try await store.region(named: "japaneast")?.roundTripMilliseconds["eastus"] == 7)
            #expect(try await store.latency(between: "eastus", and: "eastus") == 0)

            await #expect(throws: StoreError.notFound(kind: "region", name: "moon")) {
                try await store.setAvailability(of: "moon", to: false, at: Self.epoch)
            }
            await #expect(throws: StoreError.notFound(kind: "region", name: "moon")) {
                try await store.setLatency(between: "moon", and: "eastus", milliseconds: 1)
            }
        }
    }
}

extension WorkspaceRecord {
    func with(id: String?) -> WorkspaceRecord {
        var copy = self
        copy.id = id ?? ""
        return copy
    }
}
