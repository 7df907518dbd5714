import CEL
import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Subscribing vehicles to a webhook, listing and removing subscriptions (reference §7).
extension VehicleTriggers {
    // MARK: Subscriptions

    /// `GET /v1/webhooks/{id}`: the asset DIDs subscribed, as strings.
    func vehiclesOfWebhook(_ caller: Caller, webhookId: String) async throws -> Response {
        let hook: DIMOWebhookRecord
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success(let value): hook = value
        }
        let subscriptions = try await store.subscriptions(webhookId: hook.id)
        return Responses.json(.array(subscriptions.map { .string($0.assetDID) }))
    }

    /// `GET /v1/webhooks/vehicles/{assetDID}`: the license's subscriptions of one vehicle (SubscriptionView).
    func subscriptionsOfVehicle(_ caller: Caller, assetDID: String) async throws -> Response {
        let did: AssetDID
        switch AssetDID.decode(assetDID) {
        case .failure(let failure): return Self.error(400, "Invalid asset DID format: \(failure.message)")
        case .success(let value): did = value
        }
        let found = try await store.subscriptions(sandboxId: caller.sandbox.id, clientId: caller.license.clientId, assetDID: did.text)
        return Responses.json(.array(found.map { item -> JSONValue in
            .object([
                ("webhookId", .string(item.subscription.webhookId)),
                ("assetDid", .string(item.subscription.assetDID)),
                ("createdAt", .string(Self.goTime(item.subscription.createdAt))),
                ("description", .string(item.webhook.description)),
            ])
        }))
    }

    /// `POST /v1/webhooks/{id}/subscribe/{assetDID}`: 201, or 403 when the license may not read the metric of this vehicle.
    func subscribe(_ caller: Caller, webhookId: String, assetDID: String) async throws -> Response {
        guard Self.isUUID(webhookId) else { return Self.error(400, "Invalid webhook id") }
        let did: AssetDID
        switch AssetDID.decode(assetDID) {
        case .failure(let failure): return Self.error(400, "Invalid asset DID format: \(failure.message)")
        case .success(let value): did = value
        }
        let hook: DIMOWebhookRecord
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success(let value): hook = value
        }
        guard let vehicleId = try await permittedVehicle(caller, did, privileges: Self.privileges(for: hook)) else {
            return Self.error(403, "Insufficient vehicle permissions")
        }
        do {
            try await store.subscribe(webhookId: hook.id, vehicleId: vehicleId, assetDID: did.text, at: caller.now)
        } catch VehicleTriggerStoreError.alreadySubscribed {
            return Self.error(400, "Already subscribed")
        }
        return Responses.json(.object([("message", "Vehicle assigned successfully")]), status: .created)
    }

    /// `POST /v1/webhooks/{id}/subscribe/list` with `{"assetDIDs": […]}`.
    func subscribeList(_ caller: Caller, webhookId: String, body: Data) async throws -> Response {
        let hook: DIMOWebhookRecord
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success(let value): hook = value
        }
        guard let dids = Self.assetList(body) else { return Self.error(400, "Invalid request body") }
        return try await subscribeMany(caller, hook: hook, dids: dids)
    }

    /// `POST /v1/webhooks/{id}/subscribe/all`: every vehicle shared with the license (an unexpired SACD to it).
    func subscribeAll(_ caller: Caller, webhookId: String) async throws -> Response {
        let hook: DIMOWebhookRecord
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success(let value): hook = value
        }
        let shared = try await store.sharedVehicles(sandboxId: caller.sandbox.id, grantee: caller.license.clientId, at: caller.now)
        let dids = shared.map { AssetDID(chainId: UInt64(DIMOContracts.chainId), contract: DIMOContracts.vehicle, tokenId: String($0.tokenId)) }
        return try await subscribeMany(caller, hook: hook, dids: dids)
    }

    /// Upstream checks every vehicle first (one without the privileges fails the whole request), then subscribes
    /// each; those that fail (already subscribed) are listed instead of the count.
    func subscribeMany(_ caller: Caller, hook: DIMOWebhookRecord, dids: [AssetDID]) async throws -> Response {
        let privileges = Self.privileges(for: hook)
        var vehicleIds: [Int64] = []
        for did in dids {
            guard let vehicleId = try await permittedVehicle(caller, did, privileges: privileges) else {
                return Self.error(403, "Insufficient permissions for asset \(did.text)")
            }
            vehicleIds.append(vehicleId)
        }
        let now = caller.now
        var failed: [JSONValue] = []
        for (did, vehicleId) in zip(dids, vehicleIds) {
            do {
                try await store.subscribe(webhookId: hook.id, vehicleId: vehicleId, assetDID: did.text, at: now)
            } catch VehicleTriggerStoreError.alreadySubscribed {
                failed.append(.object([("assetDid", .string(did.text)), ("message", "Already subscribed")]))
            }
        }
        if !failed.isEmpty { return Responses.json(.object([("failedSubscriptions", .array(failed))])) }
        return Responses.json(.object([("message", .string("Subscribed \(dids.count) assets"))]))
    }

    /// `DELETE /v1/webhooks/{id}/unsubscribe/{assetDID}`: succeeds whether or not it was subscribed.
    func unsubscribe(_ caller: Caller, webhookId: String, assetDID: String) async throws -> Response {
        guard Self.isUUID(webhookId) else { return Self.error(400, "Invalid webhook id") }
        let did: AssetDID
        switch AssetDID.decode(assetDID) {
        case .failure(let failure): return Self.error(400, "Invalid asset DID format: \(failure.message)")
        case .success(let value): did = value
        }
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success: break
        }
        try await store.unsubscribe(webhookId: webhookId, assetDID: did.text)
        return Responses.json(.object([("message", "Vehicle unsubscribed successfully")]))
    }

    /// `DELETE /v1/webhooks/{id}/unsubscribe/list`: counts the DIDs given, as upstream does.
    func unsubscribeList(_ caller: Caller, webhookId: String, body: Data) async throws -> Response {
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success: break
        }
        guard let dids = Self.assetList(body) else { return Self.error(400, "Invalid request body") }
        for did in dids { try await store.unsubscribe(webhookId: webhookId, assetDID: did.text) }
        return Responses.json(.object([("message", .string("Unsubscribed \(dids.count) assets"))]))
    }

    /// `DELETE /v1/webhooks/{id}/unsubscribe/all`: counts the subscriptions removed.
    func unsubscribeAll(_ caller: Caller, webhookId: String) async throws -> Response {
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success: break
        }
        let removed = try await store.unsubscribeAll(webhookId: webhookId)
        return Responses.json(.object([("message", .string("Unsubscribed \(removed) vehicles"))]))
    }

    /// The privilege ids a webhook's metric needs: the signal's (non-location data, or location history for
    /// location signals); events need non-location data.
    static func privileges(for hook: DIMOWebhookRecord) -> [Int] {
        if hook.service == "signals", hook.metricName.hasPrefix("vss."),
           let signal = signalsByName[String(hook.metricName.dropFirst(4))] {
            return [signal.privilege]
        }
        return [1]
    }

    /// The vehicle id when the license may subscribe this asset. Upstream asks token exchange for the metric's
    /// permissions; this applies token exchange's rule: a vehicle of the sandbox that the license owns, or that an
    /// unexpired SACD to the license covers with those privileges.
    func permittedVehicle(_ caller: Caller, _ did: AssetDID, privileges: [Int]) async throws -> Int64? {
        guard did.chainId == UInt64(DIMOContracts.chainId), did.contract.lowercased() == DIMOContracts.vehicle.lowercased(),
              let tokenId = Int64(did.tokenId), let snapshot = try await access.vehicle(tokenId: tokenId),
              snapshot.vehicle.sandboxId == caller.sandbox.id, let vehicleId = snapshot.vehicle.id else { return nil }
        let clientId = caller.license.clientId.lowercased()
        if snapshot.owner.dimoAddress.lowercased() == clientId { return vehicleId }
        let grants = try await access.sacds(vehicleId: vehicleId, at: caller.now).filter { $0.grantee.lowercased() == clientId }
        guard !grants.isEmpty else { return nil }
        let granted = Set(grants.flatMap { DIMOPrivilege.ids(fromHex: $0.permissions) })
        return Set(privileges).isSubset(of: granted) ? vehicleId : nil
    }
}
