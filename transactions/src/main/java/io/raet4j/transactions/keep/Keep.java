package io.raet4j.transactions.keep;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A keep: the directory where a stack keeps its own identity and the public keys and acceptance status of the remote
 * estates it knows. Layout and formats are specified in {@code spec/KEEP.md}:
 * <pre>
 * keep/                  0700
 *   keep.lock            writers' lock (empty)
 *   changes              change counter, bumped by every change of a remote record
 *   local/identity.estate   public part of the local identity
 *   local/identity.secret   private keys, 0600
 *   remote/NAME.estate   one file per remote estate (NAME escaped, see {@link #fileNameFor(String)})
 * </pre>
 * Every write replaces a whole file atomically (temp file, fsync, rename, fsync directory), so readers never see a torn
 * file and a crash leaves either the old or the new version. Writers take an exclusive lock on {@code keep.lock},
 * shared across processes, around each read-modify-write, so a command line tool may accept or reject an estate while a
 * stack runs on the same keep without either losing the other's change. Every change of a remote record bumps the
 * counter in {@code changes}, which {@link KeepWatcher} polls to notice changes made by others.
 * <p>
 * Reads are strict: a malformed, truncated or hand-mangled file throws a {@link KeepException} naming the file, line
 * and field; nothing corrupt is silently skipped.
 * <p>
 * Thread safe. Every method does blocking file I/O: call from a control thread or through {@link KeepWriter}, never
 * from the duty cycle. Do not interrupt threads while they use a keep: an interrupt closes the lock file's channel,
 * which releases the cross-process lock early (the next call reopens it).
 */
public final class Keep implements AutoCloseable
{
    /** Extension of record files: {@code local/identity.estate} and {@code remote/NAME.estate}. */
    public static final String ESTATE_EXTENSION = ".estate";
    /** Directory of the local identity. */
    public static final String LOCAL_DIR = "local";
    /** Directory of remote estate records. */
    public static final String REMOTE_DIR = "remote";
    /** Public part of the local identity, in {@link #LOCAL_DIR}. */
    public static final String IDENTITY_FILE = "identity.estate";
    /** Private keys of the local identity, in {@link #LOCAL_DIR}, 0600. */
    public static final String SECRET_FILE = "identity.secret";
    /** The change counter. */
    public static final String CHANGES_FILE = "changes";
    /** The writers' lock file. */
    public static final String LOCK_FILE = "keep.lock";
    /** Temp files older than this are left by dead writers and deleted on open. */
    public static final long STALE_TEMP_FILE_AGE_MS = 60_000;

    static final String KIND_LOCAL = "local";
    static final String KIND_SECRET = "secret";
    static final String KIND_REMOTE = "remote";
    static final String KIND_CHANGES = "changes";

    static final List<String> LOCAL_KEYS = List.of("name", "id", "sign-public", "agree-public", "created-ms");
    static final List<String> SECRET_KEYS = List.of(
        "name", "id", "sign-public", "agree-public", "sign-private", "agree-private", "created-ms");
    static final List<String> REMOTE_KEYS = List.of(
        "name", "id", "sign-public", "agree-public", "status", "first-seen-ms", "last-changed-ms", "address");
    static final List<String> CHANGES_KEYS = List.of("counter");

    private final Path dir;
    private final Path localDir;
    private final Path remoteDir;
    private final Path changesFile;
    private final EpochClock clock;
    private final KeepLock lock;
    private final CopyOnWriteArrayList<KeepWatcher> watchers = new CopyOnWriteArrayList<>();
    private volatile boolean isClosed;

    private Keep(final Path dir, final EpochClock clock, final KeepLock lock)
    {
        this.dir = dir;
        this.localDir = dir.resolve(LOCAL_DIR);
        this.remoteDir = dir.resolve(REMOTE_DIR);
        this.changesFile = dir.resolve(CHANGES_FILE);
        this.clock = clock;
        this.lock = lock;
    }

    /**
     * Open a keep, creating its directories (0700 where POSIX, missing parents with the default permissions) if
     * needed. An existing directory is never chmod-ed: it is used as it is when owned by the user running this process
     * and not writable by group or others, and refused otherwise (spec/KEEP.md section 4). Temp files left by writers
     * that died are deleted when older than {@link #STALE_TEMP_FILE_AGE_MS}.
     *
     * @param dir of the keep.
     * @return the open keep.
     * @throws KeepException if the directory cannot be created, or an existing one is owned by another user or is
     *                       writable by group or others; the message says what to do.
     */
    public static Keep open(final Path dir)
    {
        return open(dir, SystemEpochClock.INSTANCE);
    }

    /**
     * Open a keep with a clock for the times it records, as {@link #open(Path)} does.
     *
     * @param dir   of the keep.
     * @param clock for created, first-seen and last-changed times.
     * @return the open keep.
     * @throws KeepException if the directory cannot be created, or an existing one is owned by another user or is
     *                       writable by group or others.
     */
    public static Keep open(final Path dir, final EpochClock clock)
    {
        Objects.requireNonNull(clock, "clock");
        KeepFiles.keepDirectory(dir);
        final Path realDir;
        try
        {
            realDir = dir.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new KeepException(dir, "cannot resolve: " + ex, ex);
        }
        KeepFiles.keepSubdirectory(realDir.resolve(LOCAL_DIR));
        KeepFiles.keepSubdirectory(realDir.resolve(REMOTE_DIR));
        final long staleBeforeMs = System.currentTimeMillis() - STALE_TEMP_FILE_AGE_MS;
        KeepFiles.deleteStaleTempFiles(realDir, staleBeforeMs);
        KeepFiles.deleteStaleTempFiles(realDir.resolve(LOCAL_DIR), staleBeforeMs);
        KeepFiles.deleteStaleTempFiles(realDir.resolve(REMOTE_DIR), staleBeforeMs);
        return new Keep(realDir, clock, KeepLock.open(realDir.resolve(LOCK_FILE)));
    }

    /**
     * The directory of the keep.
     *
     * @return the real path of the directory.
     */
    public Path directory()
    {
        return dir;
    }

    /**
     * The file name of an estate's record in {@code remote/}: bytes of the UTF-8 name in [A-Za-z0-9_-], and '.' except
     * as first byte, are kept; every other byte becomes {@code %XX} (upper-case hex); if that is longer than 200
     * characters the stem is {@code ~} and the 64 hex digits of SHA-256 of the UTF-8 name. Then {@code .estate}.
     * Distinct names give distinct file names, except on case-insensitive file systems (see spec/KEEP.md).
     *
     * @param name of the estate, 1 to 255 bytes of UTF-8.
     * @return the file name.
     */
    public static String fileNameFor(final String name)
    {
        return KeepFormat.fileStem(name) + ESTATE_EXTENSION;
    }

    /**
     * Load the local identity, or generate and persist one on first start. Writes {@code identity.secret} before
     * {@code identity.estate}; if a crash left only the secret, the public file is rewritten from it.
     *
     * @param name of the local estate; must be the name stored in the keep if there is one.
     * @return the identity.
     * @throws KeepException if the keep belongs to an estate of another name, or its identity files are corrupt,
     *                       inconsistent, or (secret) readable by group or others.
     */
    public LocalIdentity loadOrCreateLocal(final String name)
    {
        KeepFormat.nameBytes(name);
        ensureOpen();
        lock.lock();
        try
        {
            final LocalIdentity existing = readLocal();
            if (null != existing)
            {
                if (!existing.name().equals(name))
                {
                    throw new KeepException(localDir.resolve(IDENTITY_FILE), 0, "name",
                        "this keep belongs to estate '" + KeepFormat.abbreviate(existing.name()) + "', not '" +
                        KeepFormat.abbreviate(name) + "'; give each estate its own keep directory", null);
                }
                return existing;
            }
            final LocalIdentity identity = LocalIdentity.generate(name, clock.time());
            KeepFiles.writeAtomically(localDir.resolve(SECRET_FILE), renderSecret(identity));
            KeepFiles.writeAtomically(localDir.resolve(IDENTITY_FILE), renderLocal(identity));
            return identity;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The local identity if one was created, for tools that do not know the estate's name.
     *
     * @return the identity, or empty if the keep has none yet.
     */
    public Optional<LocalIdentity> local()
    {
        ensureOpen();
        lock.lock();
        try
        {
            return Optional.ofNullable(readLocal());
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The record of a remote estate.
     *
     * @param name of the estate.
     * @return the record, or empty if there is none.
     * @throws KeepException if the record's file is corrupt.
     */
    public Optional<RemoteEstateRecord> remote(final String name)
    {
        ensureOpen();
        final Path file = remoteFile(name);
        final byte[] content = KeepFiles.readOrNull(file);
        if (null == content)
        {
            return Optional.empty();
        }
        return Optional.of(parseRemote(file, content));
    }

    /**
     * Every remote estate record, by name. Files in {@code remote/} that are not records (temp files, names starting
     * with '.', names not ending in {@code .estate}) are not read.
     *
     * @return the records, sorted by name.
     * @throws KeepException at the first corrupt record file.
     */
    public List<RemoteEstateRecord> remotes()
    {
        ensureOpen();
        final List<RemoteEstateRecord> records = new ArrayList<>();
        for (final Path file : remoteFiles())
        {
            final byte[] content = KeepFiles.readOrNull(file);
            if (null != content)
            {
                records.add(parseRemote(file, content));
            }
        }
        records.sort(Comparator.comparing(RemoteEstateRecord::name));
        return records;
    }

    /**
     * Write a remote estate record, replacing any record of the same name, and bump the change counter.
     *
     * @param record to write.
     * @throws KeepException if the file name is taken by an estate of another name (a case-insensitive file system),
     *                       or on I/O failure.
     */
    public void put(final RemoteEstateRecord record)
    {
        ensureOpen();
        final Path file = remoteFile(record.name());
        lock.lock();
        try
        {
            final byte[] existing = KeepFiles.readOrNull(file);
            if (null != existing)
            {
                final String existingName = nameOrNull(file, existing);
                if (null != existingName && !existingName.equals(record.name()))
                {
                    throw new KeepException(file, 0, "name", "file holds estate '" +
                        KeepFormat.abbreviate(existingName) + "', not '" + KeepFormat.abbreviate(record.name()) +
                        "' (names differing only in case on a case-insensitive file system?)", null);
                }
            }
            write(file, record);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Read, change and write one record under the writers' lock, so changes by other processes are not lost.
     *
     * @param name   of the estate.
     * @param change given the current record, or null if there is none, returns the record to write, or null (or an
     *               equal record) to write nothing. Runs under the lock: keep it short and free of I/O.
     * @return the record in the keep after the call, or empty if there is none.
     * @throws KeepException if the current record is corrupt or on I/O failure.
     */
    public Optional<RemoteEstateRecord> compute(final String name, final UnaryOperator<RemoteEstateRecord> change)
    {
        ensureOpen();
        final Path file = remoteFile(name);
        lock.lock();
        try
        {
            final byte[] content = KeepFiles.readOrNull(file);
            final RemoteEstateRecord current = null == content ? null : parseRemote(file, content);
            final RemoteEstateRecord next = change.apply(current);
            if (null == next || next.equals(current))
            {
                return Optional.ofNullable(current);
            }
            if (!next.name().equals(name))
            {
                throw new IllegalArgumentException("compute for '" + name + "' returned a record of '" +
                    next.name() + "'");
            }
            write(file, next);
            return Optional.of(next);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Set the acceptance status of a remote estate, stamping the last-changed time if it changes.
     *
     * @param name   of the estate.
     * @param status to set.
     * @return true if the estate has a record (now with that status), false if it has none.
     */
    public boolean setStatus(final String name, final Acceptance status)
    {
        Objects.requireNonNull(status, "status");
        final long nowMs = clock.time();
        return compute(name, (current) -> null == current ? null : current.withStatus(status, nowMs)).isPresent();
    }

    /**
     * Delete a remote estate's record and bump the change counter.
     *
     * @param name of the estate.
     * @return true if there was a record.
     */
    public boolean delete(final String name)
    {
        ensureOpen();
        final Path file = remoteFile(name);
        lock.lock();
        try
        {
            if (!KeepFiles.delete(file))
            {
                return false;
            }
            final long previous = bumpChanges();
            for (final KeepWatcher watcher : watchers)
            {
                watcher.onOwnWrite(previous, previous + 1, file.getFileName().toString(), null);
            }
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The change counter: bumped by every write or delete of a remote record, by any process. Reading it is one small
     * file read; compare with the last value seen to know whether to rescan.
     *
     * @return the counter, 0 before the first change.
     * @throws KeepException if the counter file is corrupt.
     */
    public long changeCounter()
    {
        ensureOpen();
        final byte[] content = KeepFiles.readOrNull(changesFile);
        if (null == content)
        {
            return 0;
        }
        final KeepFormat.Fields fields = KeepFormat.parse(changesFile, content, KIND_CHANGES, CHANGES_KEYS);
        final long counter = fields.longValue("counter");
        if (counter < 0)
        {
            throw fields.error("counter", "must not be negative");
        }
        return counter;
    }

    /**
     * The clock the keep stamps times with.
     *
     * @return the clock.
     */
    public EpochClock clock()
    {
        return clock;
    }

    /**
     * Close the keep. Idempotent.
     */
    @Override
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            lock.close();
        }
    }

    void addWatcher(final KeepWatcher watcher)
    {
        watchers.add(watcher);
    }

    void removeWatcher(final KeepWatcher watcher)
    {
        watchers.remove(watcher);
    }

    /**
     * Files in {@code remote/} that are records: ending in {@code .estate} and not starting with '.'.
     */
    List<Path> remoteFiles()
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(remoteDir))
        {
            for (final Path path : stream)
            {
                final String fileName = path.getFileName().toString();
                if (fileName.endsWith(ESTATE_EXTENSION) && !fileName.startsWith(".") &&
                    fileName.length() > ESTATE_EXTENSION.length())
                {
                    files.add(path);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new KeepException(remoteDir, "cannot list: " + ex, ex);
        }
        return files;
    }

    /**
     * Parse a remote record file, checking the name in it maps to the file's name.
     */
    static RemoteEstateRecord parseRemote(final Path file, final byte[] content)
    {
        final KeepFormat.Fields fields = KeepFormat.parse(file, content, KIND_REMOTE, REMOTE_KEYS);
        final String name = fields.name("name");
        final String expected = fileNameFor(name);
        if (!expected.equals(file.getFileName().toString()))
        {
            throw fields.error("name", "'" + KeepFormat.abbreviate(name) + "' does not belong in this file (its file " +
                "is '" + KeepFormat.abbreviate(expected) + "'); was the file renamed or the name edited?");
        }
        final long id = fields.estateId("id");
        final byte[] signPublic = fields.key32("sign-public");
        final byte[] agreePublic = fields.key32("agree-public");
        final Acceptance status = fields.status("status");
        final long firstSeenMs = fields.timeMs("first-seen-ms");
        final long lastChangedMs = fields.timeMs("last-changed-ms");
        final String address = fields.text("address", true);
        return new RemoteEstateRecord(
            name, id, signPublic, agreePublic, status, firstSeenMs, lastChangedMs, address.isEmpty() ? null : address);
    }

    static byte[] renderRemote(final RemoteEstateRecord record)
    {
        return KeepFormat.render(List.of(
            "kind", KIND_REMOTE,
            "name", KeepFormat.escapeValue(record.name()),
            "id", Long.toString(record.id()),
            "sign-public", KeepFormat.hex(record.signPublicKey()),
            "agree-public", KeepFormat.hex(record.agreePublicKey()),
            "status", record.status().label(),
            "first-seen-ms", Long.toString(record.firstSeenMs()),
            "last-changed-ms", Long.toString(record.lastChangedMs()),
            "address", null == record.address() ? "" : KeepFormat.escapeValue(record.address())));
    }

    private void write(final Path file, final RemoteEstateRecord record)
    {
        KeepFiles.writeAtomically(file, renderRemote(record));
        final long previous = bumpChanges();
        for (final KeepWatcher watcher : watchers)
        {
            watcher.onOwnWrite(previous, previous + 1, file.getFileName().toString(), record);
        }
    }

    /**
     * Bump the change counter; the caller holds the lock.
     *
     * @return the counter before the bump.
     */
    private long bumpChanges()
    {
        final long previous = changeCounter();
        KeepFiles.writeAtomically(changesFile, KeepFormat.render(List.of(
            "kind", KIND_CHANGES,
            "counter", Long.toString(previous + 1))));
        return previous;
    }

    private LocalIdentity readLocal()
    {
        final Path secretFile = localDir.resolve(SECRET_FILE);
        final Path identityFile = localDir.resolve(IDENTITY_FILE);
        final byte[] secretContent = KeepFiles.readOrNull(secretFile);
        final byte[] identityContent = KeepFiles.readOrNull(identityFile);
        if (null == secretContent)
        {
            if (null == identityContent)
            {
                return null;
            }
            throw new KeepException(secretFile, "missing while " + IDENTITY_FILE + " exists: the private keys are " +
                "lost; restore the file from a backup, or delete local/ to generate a new identity that remote " +
                "estates must accept again", null);
        }
        KeepFiles.checkPrivate(secretFile);

        final KeepFormat.Fields secret = KeepFormat.parse(secretFile, secretContent, KIND_SECRET, SECRET_KEYS);
        final String name = secret.name("name");
        final long id = secret.estateId("id");
        final long createdMs = secret.timeMs("created-ms");
        final byte[] signPublic = secret.key32("sign-public");
        final byte[] agreePublic = secret.key32("agree-public");
        final byte[] signPrivate = secret.key32("sign-private");
        final byte[] agreePrivate = secret.key32("agree-private");
        final LocalIdentity identity;
        try
        {
            identity = LocalIdentity.fromRaw(name, id, createdMs, signPublic, agreePublic, signPrivate, agreePrivate);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new KeepException(secretFile, ex.getMessage(), ex);
        }

        if (null == identityContent)
        {
            KeepFiles.writeAtomically(identityFile, renderLocal(identity));
            return identity;
        }
        final KeepFormat.Fields local = KeepFormat.parse(identityFile, identityContent, KIND_LOCAL, LOCAL_KEYS);
        if (!local.name("name").equals(name))
        {
            throw local.error("name", "differs from the name in " + SECRET_FILE);
        }
        if (local.estateId("id") != id)
        {
            throw local.error("id", "differs from the id in " + SECRET_FILE);
        }
        if (!identity.hasPublicKeys(local.key32("sign-public"), local.key32("agree-public")))
        {
            throw local.error(
                identity.hasSignPublicKey(local.key32("sign-public")) ? "agree-public" : "sign-public",
                "differs from the key in " + SECRET_FILE);
        }
        if (local.timeMs("created-ms") != createdMs)
        {
            throw local.error("created-ms", "differs from the time in " + SECRET_FILE);
        }
        return identity;
    }

    private static byte[] renderLocal(final LocalIdentity identity)
    {
        return KeepFormat.render(List.of(
            "kind", KIND_LOCAL,
            "name", KeepFormat.escapeValue(identity.name()),
            "id", Long.toString(identity.id()),
            "sign-public", KeepFormat.hex(identity.signPublicKey()),
            "agree-public", KeepFormat.hex(identity.agreePublicKey()),
            "created-ms", Long.toString(identity.createdMs())));
    }

    private static byte[] renderSecret(final LocalIdentity identity)
    {
        return KeepFormat.render(List.of(
            "kind", KIND_SECRET,
            "name", KeepFormat.escapeValue(identity.name()),
            "id", Long.toString(identity.id()),
            "sign-public", KeepFormat.hex(identity.signPublicKey()),
            "agree-public", KeepFormat.hex(identity.agreePublicKey()),
            "sign-private", KeepFormat.hex(identity.signPrivateRaw()),
            "agree-private", KeepFormat.hex(identity.agreePrivateRaw()),
            "created-ms", Long.toString(identity.createdMs())));
    }

    private static String nameOrNull(final Path file, final byte[] content)
    {
        try
        {
            return KeepFormat.parse(file, content, KIND_REMOTE, REMOTE_KEYS).name("name");
        }
        catch (final KeepException ex)
        {
            return null;
        }
    }

    private Path remoteFile(final String name)
    {
        return remoteDir.resolve(fileNameFor(name));
    }

    private void ensureOpen()
    {
        if (isClosed)
        {
            throw new IllegalStateException("keep is closed: " + dir);
        }
    }
}
