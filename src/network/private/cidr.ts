/** IPv4 CIDR arithmetic at synth time, so subnet ranges are literal and readable in the plan. */

function toInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** Terraform's `cidrsubnet(prefix, newbits, netnum)`, computed here. */
export function cidrSubnet(cidr: string, newBits: number, netNum: number): string {
  const [ip, lenStr] = cidr.split("/");
  const len = Number(lenStr);
  const newLen = len + newBits;
  if (newLen > 32 || netNum >= 2 ** newBits || netNum < 0) {
    throw new Error(`cidrSubnet: ${cidr} has no subnet ${netNum} of /${newLen}`);
  }
  const base = toInt(ip) - (toInt(ip) % 2 ** (32 - len));
  return `${toIp(base + netNum * 2 ** (32 - newLen))}/${newLen}`;
}
