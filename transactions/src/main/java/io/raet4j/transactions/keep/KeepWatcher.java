package io.raet4j.transactions.keep;

import org.agrona.ErrorHandler;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Notices remote estate records changed in the keep by another process (the {@code keys} command line tool) or
 * another {@link Keep} instance, so a running stack can apply an {@code accept NAME} within one poll.
 * <p>
 * {@link #poll()} reads the change counter (one small file); only when it moved does it rescan {@code remote/},
 * parse every record and report the differences from its snapshot. Writes made through the {@link Keep} this watcher
 * was created with are folded into the snapshot as they happen and not reported, unless they interleave with a write by
 * someone else, in which case the next rescan may report them too (harmless: the record reported is the one on disk).
 * Changes made without going through a {@link Keep} (an editor, {@code rm}) do not move the counter: they are seen at
 * the next counter change or {@link #rescan()}.
 * <p>
 * A corrupt record file found while rescanning is reported to the error handler as a {@link KeepException} and that
 * record is left as last seen (neither changed nor deleted) until the file is fixed.
 * <p>
 * Thread safe; does blocking file I/O: poll it from a control thread (as {@link KeepWriter} does, when the shared
 * {@link KeepWatchScheduler} saw the counter move), never from the duty cycle.
 */
public final class KeepWatcher implements AutoCloseable
{
    private final Keep keep;
    private final ErrorHandler errorHandler;
    private final Map<String, RemoteEstateRecord> byFileName = new HashMap<>();
    private long lastCounter;
    private boolean isRescanNeeded;
    private boolean isClosed;

    /**
     * A watcher whose snapshot is the keep as it is now.
     *
     * @param keep         to watch.
     * @param errorHandler for corrupt files and I/O failures met while polling.
     */
    public KeepWatcher(final Keep keep, final ErrorHandler errorHandler)
    {
        this.keep = Objects.requireNonNull(keep, "keep");
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
        synchronized (this)
        {
            keep.addWatcher(this);
            final long counter = readCounter();
            lastCounter = Math.max(counter, 0);
            isRescanNeeded = counter < 0;
            scan();
        }
    }

    /**
     * Report the records changed since the last poll, if the change counter moved.
     *
     * @return the changes, empty if none.
     */
    public synchronized List<KeepChange> poll()
    {
        final long counter = readCounter();
        if (counter == lastCounter && !isRescanNeeded)
        {
            return List.of();
        }
        if (counter >= 0)
        {
            lastCounter = counter;
        }
        isRescanNeeded = counter < 0;
        return scan();
    }

    /**
     * Whether {@link #poll()} has anything to look at: the change counter moved, cannot be read, or a rescan is
     * pending. One small file read; a failure to read is left for {@link #poll()} to report.
     *
     * @return true if a poll is due.
     */
    synchronized boolean isPollDue()
    {
        if (isClosed)
        {
            return false;
        }
        if (isRescanNeeded)
        {
            return true;
        }
        try
        {
            return keep.changeCounter() != lastCounter;
        }
        catch (final RuntimeException ex)
        {
            return true;
        }
    }

    /**
     * Rescan {@code remote/} whether or not the counter moved, to pick up changes made without a {@link Keep}.
     *
     * @return the changes since the last poll or rescan, empty if none.
     */
    public synchronized List<KeepChange> rescan()
    {
        final long counter = readCounter();
        if (counter >= 0)
        {
            lastCounter = counter;
        }
        isRescanNeeded = counter < 0;
        return scan();
    }

    /**
     * The records as of the last poll, for a stack to start from: create the watcher, then take its records, so no
     * change falls between loading the keep and watching it.
     *
     * @return the records, sorted by name.
     */
    public synchronized List<RemoteEstateRecord> records()
    {
        final List<RemoteEstateRecord> records = new ArrayList<>(byFileName.values());
        records.sort(Comparator.comparing(RemoteEstateRecord::name));
        return records;
    }

    /**
     * The change counter value the snapshot corresponds to.
     *
     * @return the counter as last read.
     */
    public synchronized long lastCounter()
    {
        return lastCounter;
    }

    /**
     * Stop receiving the keep's own writes. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            keep.removeWatcher(this);
        }
    }

    /**
     * Called by the keep, under its writers' lock, after it wrote or deleted a record and bumped the counter.
     */
    synchronized void onOwnWrite(
        final long previousCounter, final long counter, final String fileName, final RemoteEstateRecord record)
    {
        if (previousCounter == lastCounter && !isRescanNeeded)
        {
            lastCounter = counter;
            if (null == record)
            {
                byFileName.remove(fileName);
            }
            else
            {
                byFileName.put(fileName, record);
            }
        }
    }

    /**
     * The change counter, or -1 (reported) if it cannot be read: then every poll rescans, slower but missing nothing.
     */
    private long readCounter()
    {
        try
        {
            return keep.changeCounter();
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            return -1;
        }
    }

    private List<KeepChange> scan()
    {
        final List<Path> files;
        try
        {
            files = keep.remoteFiles();
        }
        catch (final RuntimeException ex)
        {
            isRescanNeeded = true;
            errorHandler.onError(ex);
            return List.of();
        }

        final List<KeepChange> changes = new ArrayList<>();
        final Set<String> present = new HashSet<>();
        for (final Path file : files)
        {
            final String fileName = file.getFileName().toString();
            final RemoteEstateRecord previous = byFileName.get(fileName);
            final RemoteEstateRecord current;
            try
            {
                final byte[] content = KeepFiles.readOrNull(file);
                if (null == content)
                {
                    continue;
                }
                current = Keep.parseRemote(file, content);
            }
            catch (final RuntimeException ex)
            {
                present.add(fileName);
                errorHandler.onError(ex);
                continue;
            }
            present.add(fileName);
            if (!current.equals(previous))
            {
                byFileName.put(fileName, current);
                changes.add(new KeepChange(previous, current));
            }
        }

        final List<String> gone = new ArrayList<>();
        for (final String fileName : byFileName.keySet())
        {
            if (!present.contains(fileName))
            {
                gone.add(fileName);
            }
        }
        for (final String fileName : gone)
        {
            changes.add(new KeepChange(byFileName.remove(fileName), null));
        }
        changes.sort(Comparator.comparing(KeepChange::name));
        return changes;
    }
}
