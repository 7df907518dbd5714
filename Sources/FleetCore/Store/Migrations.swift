import GRDB

/// The versioned schema. Migrations are append-only: never edit a shipped one.
enum Migrations {
    /// The migration that moved telemetry samples into the clustered table (`FleetDatabase` vacuums after it).
    static let compactTelemetry = "v16 compact telemetry samples"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 world") { db in
            try db.create(table: "sandbox") { t in
                t.primaryKey("id", .text)
                t.column("fixtures", .text)
                t.column("seed", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("seedDocument", .text).notNull()
                t.column("clock", .jsonText).notNull()
                t.column("settings", .jsonText).notNull()
            }
            try db.create(table: "owner") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.column("email", .text).notNull()
                t.column("name", .text).notNull()
                t.column("smartcarUserId", .text).notNull().unique()
                t.column("dimoAddress", .text).notNull().unique()
                t.column("homeLatitude", .double).notNull()
                t.column("homeLongitude", .double).notNull()
                t.column("homeCity", .text).notNull()
                t.uniqueKey(["sandboxId", "email"])
            }
            try db.create(table: "smartcarApp") { t in
                t.primaryKey("sandboxId", .text).references("sandbox", onDelete: .cascade)
                t.column("clientId", .text).notNull().unique()
                t.column("clientSecret", .text).notNull()
                t.column("managementToken", .text).notNull().unique()
                t.column("redirectUris", .jsonText).notNull()
            }
            try db.create(table: "dimoLicense") { t in
                t.primaryKey("sandboxId", .text).references("sandbox", onDelete: .cascade)
                t.column("clientId", .text).notNull().unique()
                t.column("tokenId", .integer).notNull().unique()
                t.column("alias", .text).notNull()
                t.column("redirectUris", .jsonText).notNull()
                t.column("signerPrivateKey", .text).notNull()
                t.column("signerAddress", .text).notNull().unique()
            }
            try db.create(table: "vehicle") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.belongsTo("owner", onDelete: .cascade).notNull()
                t.column("vin", .text).notNull().unique()
                t.column("smartcarId", .text).notNull().unique()
                t.column("dimoTokenId", .integer).notNull().unique()
                t.column("make", .text).notNull()
                t.column("model", .text).notNull()
                t.column("year", .integer).notNull()
                t.column("powertrain", .text).notNull()
                t.column("batteryCapacityKWh", .double)
                t.column("fuelTankLiters", .double)
            }
            try db.create(table: "vehicleState") { t in
                t.primaryKey("vehicleId", .integer).references("vehicle", onDelete: .cascade)
                t.column("updatedAt", .datetime).notNull()
                t.column("odometerKm", .double).notNull()
                t.column("latitude", .double).notNull()
                t.column("longitude", .double).notNull()
                t.column("heading", .double).notNull()
                t.column("stateOfCharge", .double)
                t.column("fuelFraction", .double)
                t.column("rangeKm", .double).notNull()
                t.column("isPluggedIn", .boolean).notNull()
                t.column("chargeState", .text).notNull()
                t.column("chargeLimit", .double).notNull()
                t.column("isLocked", .boolean).notNull()
                t.column("doors", .jsonText).notNull()
                t.column("windows", .jsonText).notNull()
                t.column("sunroof", .text)
                t.column("hood", .text).notNull()
                t.column("trunk", .text).notNull()
                t.column("chargingPort", .text)
                t.column("tirePressureKPa", .jsonText).notNull()
                t.column("oilLife", .double)
                t.column("ignitionOn", .boolean).notNull()
                t.column("speedKph", .double).notNull()
                t.column("lowVoltageBatteryV", .double).notNull()
                t.column("cabinTempC", .double).notNull()
                t.column("outsideTempC", .double).notNull()
            }
        }
        migrator.registerMigration("v2 smartcar access") { db in
            try db.create(table: "smartcarCode") { t in
                t.primaryKey("code", .text)
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.belongsTo("owner", onDelete: .cascade).notNull()
                t.column("vehicleIds", .jsonText).notNull()
                t.column("scopes", .jsonText).notNull()
                t.column("redirectUri", .text).notNull()
                t.column("mode", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("usedAt", .datetime)
            }
            try db.create(table: "smartcarToken") { t in
                t.primaryKey("accessToken", .text)
                t.column("refreshToken", .text).notNull().unique()
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.belongsTo("owner", onDelete: .cascade).notNull()
                t.column("vehicleIds", .jsonText).notNull()
                t.column("scopes", .jsonText).notNull()
                t.column("mode", .text).notNull()
                t.column("issuedAt", .datetime).notNull()
                t.column("accessExpiresAt", .datetime).notNull()
                t.column("refreshExpiresAt", .datetime).notNull()
                t.column("refreshUsedAt", .datetime)
                t.column("revokedAt", .datetime)
            }
            try db.create(table: "smartcarConnection") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.belongsTo("owner", onDelete: .cascade).notNull()
                t.belongsTo("vehicle", onDelete: .cascade).notNull().unique()
                t.column("scopes", .jsonText).notNull()
                t.column("mode", .text).notNull()
                t.column("connectedAt", .datetime).notNull()
            }
            try db.create(table: "smartcarTestAccount") { t in
                t.primaryKey("ownerId", .integer).references("owner", onDelete: .cascade)
                t.column("mode", .text).notNull()
                t.column("errorTrigger", .text)
            }
            try db.create(table: "smartcarWebhook") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.column("webhookId", .text).notNull()
                t.belongsTo("vehicle", onDelete: .cascade).notNull()
                t.column("subscribedAt", .datetime).notNull()
                t.uniqueKey(["webhookId", "vehicleId"])
            }
        }
        migrator.registerMigration("v3 dimo access") { db in
            try db.create(table: "dimoChallenge") { t in
                t.primaryKey("state", .text)
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.column("clientId", .text).notNull()
                t.column("domain", .text).notNull()
                t.column("address", .text).notNull()
                t.column("challenge", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("usedAt", .datetime)
            }
            try db.create(table: "dimoSacd") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.belongsTo("vehicle", onDelete: .cascade).notNull()
                t.column("grantee", .text).notNull()
                t.column("permissions", .text).notNull()
                t.column("source", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.uniqueKey(["vehicleId", "grantee"], onConflict: .replace)
            }
            try db.create(table: "dimoAttestation") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.belongsTo("vehicle", onDelete: .cascade).notNull()
                t.column("kind", .text).notNull()
                t.column("payload", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "signingKey") { t in
                t.primaryKey("issuer", .text)
                t.column("kid", .text).notNull()
                t.column("privateKeyDER", .blob).notNull()
            }
        }
        migrator.registerMigration("v4 telemetry samples") { db in
            try db.create(table: "telemetrySample") { t in
                t.belongsTo("vehicle", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("timestamp", .datetime).notNull()
                t.column("valueNumber", .double)
                t.column("valueString", .text)
                t.column("latitude", .double)
                t.column("longitude", .double)
            }
            try db.create(index: "telemetrySampleByVehicleNameTime", on: "telemetrySample", columns: ["vehicleId", "name", "timestamp"])
        }
        migrator.registerMigration("v5 dimo vehicle triggers") { db in
            try db.create(table: "dimoWebhook") { t in
                t.primaryKey("id", .text)
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.column("clientId", .text).notNull()
                t.column("service", .text).notNull()
                t.column("metricName", .text).notNull()
                t.column("condition", .text).notNull()
                t.column("targetURL", .text).notNull()
                t.column("coolDownPeriod", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("description", .text).notNull()
                t.column("displayName", .text).notNull()
                t.column("verificationToken", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("failureCount", .integer).notNull().defaults(to: 0)
                t.uniqueKey(["sandboxId", "clientId", "displayName"])
                // Webhooks belong to the license too, so a sandbox reset (which re-creates the license) clears them.
                t.foreignKey(["sandboxId"], references: "dimoLicense", columns: ["sandboxId"], onDelete: .cascade)
            }
            try db.create(table: "dimoWebhookSubscription") { t in
                t.column("webhookId", .text).notNull().references("dimoWebhook", onDelete: .cascade)
                t.belongsTo("vehicle", onDelete: .cascade).notNull()
                t.column("assetDID", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.primaryKey(["webhookId", "vehicleId"])
            }
            try db.create(index: "dimoWebhookSubscriptionByAsset", on: "dimoWebhookSubscription", columns: ["assetDID"])
        }
        migrator.registerMigration("v6 simulation") { db in
            try db.alter(table: "sandbox") { t in
                t.add(column: "simulatedUntil", .datetime)
            }
            try db.create(table: "trip") { t in
                t.primaryKey("id", .text)
                t.belongsTo("vehicle", onDelete: .cascade).notNull()
                t.column("startTime", .datetime).notNull()
                t.column("endTime", .datetime).notNull()
                t.column("startLatitude", .double).notNull()
                t.column("startLongitude", .double).notNull()
                t.column("endLatitude", .double).notNull()
                t.column("endLongitude", .double).notNull()
                t.column("distanceKm", .double).notNull()
            }
            try db.create(index: "tripByVehicleEnd", on: "trip", columns: ["vehicleId", "endTime"])
            try db.create(table: "vehicleEvent") { t in
                t.belongsTo("vehicle", onDelete: .cascade).notNull()
                t.column("timestamp", .datetime).notNull()
                t.column("name", .text).notNull()
                t.column("durationNs", .integer).notNull()
                t.column("metadata", .text)
            }
            try db.create(index: "vehicleEventByVehicleTime", on: "vehicleEvent", columns: ["vehicleId", "timestamp"])
        }
        migrator.registerMigration("v7 dimo agents") { db in
            try db.create(table: "dimoAgent") { t in
                t.primaryKey("id", .text)
                t.belongsTo("sandbox", onDelete: .cascade).notNull()
                t.column("clientId", .text).notNull()
                t.column("type", .text).notNull()
                t.column("personality", .text).notNull()
                t.column("userWallet", .text).notNull()
                t.column("vehicleIds", .jsonText)
                t.column("createdAt", .datetime).notNull()
                // Agents belong to the license too, so a sandbox reset (which re-creates the license) clears them.
                t.foreignKey(["sandboxId"], references: "dimoLicense", columns: ["sandboxId"], onDelete: .cascade)
            }
            try db.create(table: "dimoAgentMessage") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("agentId", .text).notNull().references("dimoAgent", onDelete: .cascade)
                t.column("role", .text).notNull()
                t.column("content", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(index: "dimoAgentMessageByAgent", on: "dimoAgentMessage", columns: ["agentId", "id"])
        }
        migrator.registerMigration("v8 smartcar webhook deliveries") { db in
            // The receiver registered for a sandbox app's webhook; it goes with the app (a reset clears it).
            try db.create(table: "smartcarWebhookEndpoint") { t in
                t.primaryKey("sandboxId", .text).references("smartcarApp", onDelete: .cascade)
                t.column("webhookId", .text).notNull()
                t.column("url", .text).notNull()
                t.column("name", .text).notNull()
                t.column("verified", .boolean).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("verifiedAt", .datetime)
            }
            // The signal bodies last delivered for a subscription (JSON, code → body); null before the first delivery.
            try db.alter(table: "smartcarWebhook") { t in
                t.add(column: "lastSignals", .text)
            }
        }
        migrator.registerMigration("v9 dimo trigger deliveries") { db in
            // Per subscription: samples up to this time were evaluated; when it last fired, and the value it fired with
            // (the condition's `previousValue…`).
            try db.alter(table: "dimoWebhookSubscription") { t in
                t.add(column: "evaluatedUntil", .datetime)
                t.add(column: "lastFiredAt", .datetime)
                t.add(column: "lastValueNumber", .double)
                t.add(column: "lastValueString", .text)
                t.add(column: "lastLatitude", .double)
                t.add(column: "lastLongitude", .double)
            }
        }
        migrator.registerMigration("v10 smartcar rate limits off by default") { db in
            // Rate limits were never enforced before; sandboxes stored the old default `true`. Off is the new default.
            try db.execute(sql: "UPDATE sandbox SET settings = json_set(settings, '$.rateLimits', json('false'))")
        }
        migrator.registerMigration("v11 vehicle plans") { db in
            try db.create(table: "vehiclePlan") { t in
                t.primaryKey("vehicleId", .integer).references("vehicle", onDelete: .cascade)
                t.column("createdAt", .datetime).notNull()
                t.column("startAt", .datetime).notNull()
                t.column("endsAt", .datetime).notNull()
                t.column("resumeRoutine", .boolean).notNull()
                t.column("steps", .text).notNull()
            }
        }
        migrator.registerMigration("v12 trouble codes") { db in
            try db.alter(table: "vehicleState") { t in t.add(column: "troubleCodes", .jsonText) }
        }
        migrator.registerMigration("v13 sandbox start") { db in
            try db.alter(table: "sandbox") { t in
                t.add(column: "historyDays", .integer)
                t.add(column: "startAt", .datetime)
                t.add(column: "startFrozen", .boolean)
            }
        }
        migrator.registerMigration("v14 instants as epoch milliseconds") { db in
            // Every DATETIME column held GRDB's "yyyy-MM-dd HH:mm:ss.SSS" text (UTC); from here on it holds
            // integer milliseconds since 1970 (see EpochMillis.swift). The columns keep their declared type;
            // its NUMERIC affinity stores integers as they are.
            let columns = try Row.fetchAll(db, sql: """
                SELECT m.name AS tableName, p.name AS columnName
                FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p
                WHERE m.type = 'table' AND upper(p.type) = 'DATETIME'
                """)
            for column in columns {
                let table: String = column["tableName"], name: String = column["columnName"]
                let quoted = name.quotedDatabaseIdentifier
                try db.execute(sql: """
                    UPDATE \(table.quotedDatabaseIdentifier)
                    SET \(quoted) = CAST(strftime('%s', \(quoted)) AS INTEGER) * 1000 + CAST(substr(\(quoted), 21, 3) AS INTEGER)
                    WHERE typeof(\(quoted)) = 'text'
                    """)
            }
        }
        migrator.registerMigration("v15 no index a composite one covers") { db in
            // GRDB gave each `vehicleId` reference an index of its own. Telemetry samples, events and trips
            // also have a composite index that starts with vehicleId, which serves the same lookups and the
            // delete cascade; the single-column copies only cost memory (about 0.8 MB a sandbox of 30 days).
            for table in ["telemetrySample", "vehicleEvent", "trip"] {
                try db.execute(sql: "DROP INDEX IF EXISTS \("\(table)_on_vehicleId".quotedDatabaseIdentifier)")
            }
        }
        migrator.registerMigration(compactTelemetry) { db in
            // Samples were ~100 bytes each, half of it the signal's name written twice (row and index),
            // and an in-memory sandbox of 30 days held ~7 MiB of them. Names move to a small table; the
            // samples become one clustered B-tree keyed by (vehicle, signal, time), so the key is the
            // index. One value per signal and instant: where the simulator wrote two (a trip's last
            // reading and the state snapshot at the same millisecond), the later one is kept.
            try db.execute(sql: """
                CREATE TABLE telemetrySignal (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE telemetrySampleCompact (
                    vehicleId INTEGER NOT NULL REFERENCES vehicle(id) ON DELETE CASCADE,
                    signalId INTEGER NOT NULL REFERENCES telemetrySignal(id),
                    timestamp DATETIME NOT NULL,
                    valueNumber DOUBLE,
                    valueString TEXT,
                    latitude DOUBLE,
                    longitude DOUBLE,
                    PRIMARY KEY (vehicleId, signalId, timestamp)
                ) WITHOUT ROWID;
                """)
            try TelemetrySignals.registerNames(db)
            try db.execute(sql: """
                INSERT OR IGNORE INTO telemetrySignal (name) SELECT DISTINCT name FROM telemetrySample ORDER BY name;
                INSERT OR REPLACE INTO telemetrySampleCompact
                    SELECT s.vehicleId, g.id, s.timestamp, s.valueNumber, s.valueString, s.latitude, s.longitude
                    FROM telemetrySample s JOIN telemetrySignal g ON g.name = s.name ORDER BY s.rowid;
                DROP TABLE telemetrySample;
                ALTER TABLE telemetrySampleCompact RENAME TO telemetrySample;
                """)
        }
        return migrator
    }
}
