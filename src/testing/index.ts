// tessera/testing: what a store author, or an app's own tests, need.
export { type FakeClock, fakeClock } from "./clock.ts";
export { type TestStoreOptions, testStore } from "./conformance.ts";
export { type Faults, faultyStore } from "./faulty.ts";
