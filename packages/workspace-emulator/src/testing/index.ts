/**
 * @genie-enhancer/workspace-emulator/testing — fixtures for tests that run against the emulator, in this package
 * and in the packages that talk to a workspace.
 */
export * as SalesFixture from "./SalesFixture.js"
