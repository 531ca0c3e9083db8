export { type Delivery, ProviderStandIn, type Reply, type StandInStats } from "../../src/dev/provider-stand-in.ts";
