export { ProviderStandIn, type Delivery, type Reply, type StandInStats } from "../../src/dev/provider-stand-in.ts";
