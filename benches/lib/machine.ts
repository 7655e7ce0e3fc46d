// What the numbers were measured on.
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  platform: string;
  arch: string;
  osRelease: string;
  totalMemBytes: number;
  loadAvg: number[];
  node: string;
  v8: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    platform: os.platform(),
    arch: os.arch(),
    osRelease: os.release(),
    totalMemBytes: os.totalmem(),
    loadAvg: os.loadavg(),
    node: process.version,
    v8: process.versions.v8,
  };
}

/** One line for reports: "CPU (N cores), linux x64, Node v20, V8 11". */
export function machineLine(m: MachineInfo): string {
  return `${m.cpu} (${m.cores} cores), ${m.platform} ${m.arch}, Node ${m.node}, V8 ${m.v8}`;
}
