package io.pktstack.hostio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One stack's exclusive hold on a Linux device, across processes: a lock on
 * {@code FOLDER/DEVICE.lock} whose file names the holder. The kernel drops the
 * lock when the holder's process ends, however it ends, so a claim is never
 * stale after {@code kill -9}.
 *
 * <p>Claims held by this process are also kept in a table: POSIX record locks
 * belong to a process, so a second lock attempt from the same process would
 * not fail, and closing a second descriptor on the file would drop the first
 * lock. The table answers for this process without touching the file.
 */
public final class DeviceClaim implements AutoCloseable {

    /** System property overriding the claim folder. */
    public static final String FOLDER_PROPERTY = "pktstack.claims";

    private static final Map<String, DeviceClaim> HELD = new ConcurrentHashMap<>();

    private final String device;
    private final String owner;
    private final FileChannel channel;
    private final FileLock lock;
    private final String key;

    private DeviceClaim(String key, String device, String owner, FileChannel channel, FileLock lock) {
        this.key = key;
        this.device = device;
        this.owner = owner;
        this.channel = channel;
        this.lock = lock;
    }

    /** Where claims live: {@value #FOLDER_PROPERTY}, else {@code /run/pktstack/claims}, else under the temp folder. */
    public static Path defaultFolder() {
        String p = System.getProperty(FOLDER_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        Path run = Path.of("/run");
        if (Files.isDirectory(run) && Files.isWritable(run)) {
            return run.resolve("pktstack/claims");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "pktstack-claims");
    }

    /**
     * Claims {@code device} for {@code owner}.
     *
     * @param owner who holds it, as other stacks will be told (e.g. "passthrough in stack 'guest1'")
     * @throws DeviceBusyException naming the current holder
     * @throws IOException if the claim folder cannot be used
     */
    public static DeviceClaim acquire(Path folder, String device, String owner) throws IOException {
        HostDevice.checkInterfaceName("device", device);
        Files.createDirectories(folder);
        Path file = folder.resolve(device + ".lock");
        String key = file.toAbsolutePath().normalize().toString();
        synchronized (HELD) {
            DeviceClaim mine = HELD.get(key);
            if (mine != null) {
                throw new DeviceBusyException(device, mine.owner + " (pid " + ProcessHandle.current().pid() + ")");
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException | IOException e) {
                ch.close();
                throw e instanceof IOException io ? io : new DeviceBusyException(device, "this process");
            }
            if (lock == null) {
                String holder = readHolder(ch);
                ch.close();
                throw new DeviceBusyException(device, holder);
            }
            String text = owner + " (pid " + ProcessHandle.current().pid() + ")";
            try {
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
                ch.force(false);
            } catch (IOException e) {
                ch.close(); // releases the lock too: no claim this process could never give back
                throw e;
            }
            DeviceClaim claim = new DeviceClaim(key, device, text, ch, lock);
            HELD.put(key, claim);
            return claim;
        }
    }

    /** Who holds {@code device} now, if anyone (for checking options before starting). */
    public static Optional<String> holder(Path folder, String device) {
        Path file = folder.resolve(device + ".lock");
        String key = file.toAbsolutePath().normalize().toString();
        synchronized (HELD) {
            DeviceClaim mine = HELD.get(key);
            if (mine != null) {
                return Optional.of(mine.owner);
            }
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock probe = ch.tryLock();
                if (probe != null) {
                    probe.release();
                    return Optional.empty();
                }
                return Optional.of(readHolder(ch));
            } catch (IOException | OverlappingFileLockException e) {
                return Optional.empty(); // cannot tell; acquire() will decide
            }
        }
    }

    private static String readHolder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512);
        ch.read(b, 0);
        b.flip();
        String s = StandardCharsets.UTF_8.decode(b).toString().trim();
        return s.isEmpty() ? "another process" : s;
    }

    public String device() {
        return device;
    }

    /** The holder text written in the claim file. */
    public String owner() {
        return owner;
    }

    /** Releases the claim; the next stack may take the device. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (HELD.remove(key, this)) {
                try {
                    lock.release();
                    channel.close();
                } catch (IOException ignored) {
                    // closing the descriptor drops the lock whatever happens
                }
            }
        }
    }

    /** The device is claimed by another stack. */
    public static final class DeviceBusyException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String holder;

        public DeviceBusyException(String device, String holder) {
            super("device '" + device + "' is in use by " + holder + "; a device belongs to one stack at a time");
            this.holder = holder;
        }

        public String holder() {
            return holder;
        }
    }
}
