package io.pktstack.shell.internal.iperf3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The process's CPU use over a test, in percent of one CPU as iperf3 reports
 * it (iperf_util.c cpu_util: user and system time from getrusage over wall
 * time). The JVM gives the process's total CPU time; Linux's /proc/self/stat
 * gives how it splits between user and system (utime, stime), whose ratio is
 * applied to the total.
 */
final class CpuMeter {

    private final long wall;
    private final long cpu;
    private final long[] ticks;

    private CpuMeter(long wall, long cpu, long[] ticks) {
        this.wall = wall;
        this.cpu = cpu;
        this.ticks = ticks;
    }

    static CpuMeter start() {
        return new CpuMeter(System.nanoTime(), cpuNanos(), userSystemTicks());
    }

    /** Utilization from {@link #start} to now. */
    ExchangedResults.Cpu stop() {
        long dWall = System.nanoTime() - wall;
        long dCpu = cpuNanos() - cpu;
        if (dWall <= 0 || dCpu < 0 || cpu < 0) {
            return ExchangedResults.Cpu.NONE;
        }
        double total = 100.0 * dCpu / dWall;
        long[] now = userSystemTicks();
        if (ticks == null || now == null) {
            return new ExchangedResults.Cpu(total, 0, 0); // no split known: user and system stay 0
        }
        long user = now[0] - ticks[0];
        long system = now[1] - ticks[1];
        if (user + system <= 0) {
            return new ExchangedResults.Cpu(total, 0, 0);
        }
        return new ExchangedResults.Cpu(total, total * user / (user + system), total * system / (user + system));
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** utime and stime of /proc/self/stat (fields 14 and 15, counted after the command name's closing parenthesis). */
    static long[] userSystemTicks() {
        try {
            return parseStat(Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static long[] parseStat(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }
}
