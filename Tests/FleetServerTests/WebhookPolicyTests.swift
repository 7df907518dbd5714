import FleetServer
import Testing

@Suite struct WebhookPolicyTests {
    @Test func loopbackAlwaysOtherHostsOnlyWhenAllowed() {
        let local = WebhookPolicy()
        for url in ["http://127.0.0.1:8000/hook", "https://localhost/hook", "http://[::1]:9/x", "http://127.9.8.7/hook", "http://app.localhost/h"] {
            #expect(local.permits(url), "\(url)")
        }
        for url in ["https://example.com/hook", "http://10.0.0.5/hook", "http://127.example.com/h", "not a url", "http:///nohost"] {
            #expect(!local.permits(url), "\(url)")
        }
        let compose = WebhookPolicy(allowedHosts: ["app"])
        #expect(compose.permits("http://app:8000/hook"))
        #expect(!compose.permits("https://example.com/hook"))
        #expect(WebhookPolicy(allowedHosts: ["*"]).permits("https://example.com/hook"))
    }
}
