export interface GatewayContext {
  readonly placeholder: true;
}
