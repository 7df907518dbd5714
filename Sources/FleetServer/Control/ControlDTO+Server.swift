import FleetControl
import FleetCore
import SmartcarMock

extension ControlDTO.Sandbox {
    /// The sandbox's wire shape, with the Smartcar webhook id its app registered.
    init(_ world: SandboxWorld) {
        self.init(world, webhookId: SmartcarWebhooks.webhookId(for: world.smartcarApp))
    }
}
