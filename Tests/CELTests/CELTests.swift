import CEL
import Testing

/// The CEL module alone: what registration refuses (with cel-go's message layout) and what a compiled
/// program evaluates to.
@Suite struct CELTests {
    let speed = CELCondition.Kind.signal(valueType: "float64")

    func rejection(_ source: String, _ kind: CELCondition.Kind) -> String? {
        if case .failure(let rejection) = CELProgram.compile(source, kind: kind) { return rejection.message }
        return nil
    }

    @Test func acceptedConditions() {
        for source in ["valueNumber > 55", "value >= 72.5 && value < 100", "valueString == 'x' || previousValueNumber <= 3",
                       "geoDistance(1.0, 2.0, 3.0, 4.0) < 10", "size(valueString) == 8", "valueNumber > 55 ? true : false"] {
            #expect(rejection(source, speed) == nil, "\(source)")
        }
        #expect(rejection("name == 'behavior.harshBraking' && metadata.contains('speedKph')", .event) == nil)
    }

    @Test func typeErrorsPointAtTheOperator() {
        #expect(rejection("valueString > 1", speed) == """
            ERROR: <input>:1:13: found no matching overload for '_>_' applied to '(string, int)'
             | valueString > 1
             | ............^
            """)
        #expect(rejection("speed > 1", speed) == """
            ERROR: <input>:1:1: undeclared reference to 'speed' (in container '')
             | speed > 1
             | ^
            """)
    }

    @Test func syntaxErrorsAndNonBooleanResults() {
        let incomplete = rejection("valueNumber >", speed)
        #expect(incomplete?.hasPrefix("ERROR: <input>:1:14: ") == true, "\(incomplete ?? "accepted")")
        #expect(incomplete?.hasSuffix("\n | valueNumber >\n | .............^") == true)
        // valueNumber is dyn; upstream test-evaluates on zero values, where it holds an int.
        #expect(rejection("valueNumber + 1", speed) == "output type is not bool: int")
        #expect(rejection("valueNumber", speed) == "output type is not bool: int")
        #expect(rejection("geoDistance(1.0, 2.0, 3.0, 4.0) < 10", .event)?.contains("undeclared reference to 'geoDistance'") == true)
    }

    @Test func checkAgreesWithCompile() {
        #expect(CELCondition.check("valueNumber > 1", kind: speed) == nil)
        #expect(CELCondition.check("valueString > 1", kind: speed) == rejection("valueString > 1", speed))
    }

    @Test func aCompiledProgramEvaluatesManyReadings() throws {
        let program = try CELProgram.compile("valueNumber > 55 && previousValueNumber <= 55", kind: speed).get()
        #expect(program.holds(["valueNumber": .double(60), "previousValueNumber": .double(40)]))
        #expect(!program.holds(["valueNumber": .double(50), "previousValueNumber": .double(40)]))
        #expect(!program.holds(["valueNumber": .double(60)]), "an unknown variable does not evaluate, so it does not hold")
        let distance = try CELProgram.compile("geoDistance(value.latitude, value.longitude, 37.8044, -122.2712) < 15", kind: .signal(valueType: "vss.Location")).get()
        #expect(distance.holds(["value.latitude": .double(37.7749), "value.longitude": .double(-122.4194)]), "SF to Oakland is ~13 km")
        #expect(!distance.holds(["value.latitude": .double(40.7128), "value.longitude": .double(-74.0060)]))
    }

    @Test func parseWithoutCheckStillRefusesBadSyntax() {
        if case .success = CELProgram.parse("valueNumber >") { Issue.record("accepted an incomplete expression") }
        #expect((try? CELProgram.parse("1 / 0 == 1").get())?.holds([:]) == false, "division by zero does not hold")
    }
}
