package io.raet4j.examples;

import io.raet4j.transactions.keep.Acceptance;
import io.raet4j.transactions.keep.Keep;
import io.raet4j.transactions.keep.LocalIdentity;
import io.raet4j.transactions.keep.RemoteEstateRecord;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code keys}: show and change a keep directory (spec/KEEP.md), the local identity and the acceptance status of
 * remote estates, also while a stack runs on it. Every change goes through {@link Keep}, under the keep's writers'
 * lock, and moves its change counter, so a running stack sees it at its next poll.
 * <p>
 * NOT thread safe: runs on the calling thread.
 */
final class KeysCommand implements Command
{
    private static final String ACTIONS = "keygen, list, accept, reject or delete";
    private static final HexFormat HEX = HexFormat.of();

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "keys";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "show the keys of a keep directory and accept, reject or delete remote estates";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar keys <action> --keep DIR [...]\n" +
            "  keygen --keep DIR --name NAME   create the local identity if absent, print it\n" +
            "  list --keep DIR                 print the local identity and every remote estate\n" +
            "  accept NAME --keep DIR          accept remote estate NAME\n" +
            "  reject NAME --keep DIR          reject remote estate NAME\n" +
            "  delete NAME --keep DIR          delete the record of remote estate NAME\n" +
            "Safe while a stack runs on the keep: it sees a change within about a second.\n" +
            "Prints the result and last one line of JSON: {\"action\",...} as for each action.\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxOperands()
    {
        return 2;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        final List<String> operands = args.operands();
        if (operands.isEmpty())
        {
            throw new Args.UsageException(name(), "missing action: " + ACTIONS);
        }
        final String action = operands.get(0);
        switch (action)
        {
            case "keygen":
            {
                final Path dir = keepDir(args);
                final String localName = args.string("--name", null);
                requireOperands(args, operands, 1);
                return keygen(dir, localName, out);
            }
            case "list":
            {
                final Path dir = keepDir(args);
                requireOperands(args, operands, 1);
                return list(dir, out);
            }
            case "accept":
            case "reject":
            {
                final Path dir = keepDir(args);
                requireOperands(args, operands, 2);
                return setStatus(
                    dir, action, operands.get(1), "accept".equals(action) ? Acceptance.ACCEPTED : Acceptance.REJECTED,
                    out);
            }
            case "delete":
            {
                final Path dir = keepDir(args);
                requireOperands(args, operands, 2);
                return delete(dir, operands.get(1), out);
            }
            default:
                throw new Args.UsageException(name(), "unknown action '" + action + "', expected " + ACTIONS);
        }
    }

    private static int keygen(final Path dir, final String localName, final PrintStream out)
    {
        try (Keep keep = Keep.open(dir))
        {
            final boolean created = keep.local().isEmpty();
            final LocalIdentity identity = keep.loadOrCreateLocal(localName);
            out.println((created ? "created the local identity in " : "the local identity in ") + dir);
            out.println("  name          " + printable(identity.name()));
            out.println("  id            " + Main.id(identity.id()));
            out.println("  signing key   " + HEX.formatHex(identity.signPublicKey()) + "  (what a peer's --pin takes)");
            out.println("  agreement key " + HEX.formatHex(identity.agreePublicKey()));
            out.println(new Json()
                .put("action", "keygen")
                .put("name", identity.name())
                .put("id", Main.id(identity.id()))
                .put("signingKey", HEX.formatHex(identity.signPublicKey()))
                .put("agreementKey", HEX.formatHex(identity.agreePublicKey()))
                .put("created", created));
            return Main.EXIT_OK;
        }
    }

    private static int list(final Path dir, final PrintStream out)
    {
        requireKeep(dir);
        try (Keep keep = Keep.open(dir))
        {
            final Optional<LocalIdentity> local = keep.local();
            final List<RemoteEstateRecord> remotes = keep.remotes();
            final Json json = new Json().put("action", "list");
            out.println("keep " + dir);
            if (local.isPresent())
            {
                final LocalIdentity identity = local.get();
                out.printf("local   %s  id %s  signing key %s%n", printable(identity.name()), Main.id(identity.id()),
                    HEX.formatHex(identity.signPublicKey()));
                json.beginObject("local")
                    .put("name", identity.name())
                    .put("id", Main.id(identity.id()))
                    .put("signingKey", HEX.formatHex(identity.signPublicKey()))
                    .put("agreementKey", HEX.formatHex(identity.agreePublicKey()))
                    .endObject();
            }
            else
            {
                out.println("local   none yet (keys keygen --keep DIR --name NAME creates it)");
                json.putNull("local");
            }
            out.println(remotes.size() + " remote estate" + (1 == remotes.size() ? "" : "s"));
            json.beginArray("remotes");
            for (final RemoteEstateRecord remote : remotes)
            {
                out.printf("  %-20s %-8s id %s  address %s  signing key %s%n", printable(remote.name()),
                    remote.status().label(), Main.id(remote.id()),
                    null == remote.address() ? "unknown" : printable(remote.address()),
                    HEX.formatHex(remote.signPublicKey()));
                json.beginObject(null)
                    .put("name", remote.name())
                    .put("id", Main.id(remote.id()))
                    .put("status", remote.status().name());
                if (null == remote.address())
                {
                    json.putNull("address");
                }
                else
                {
                    json.put("address", remote.address());
                }
                json.put("signingKey", HEX.formatHex(remote.signPublicKey()))
                    .put("agreementKey", HEX.formatHex(remote.agreePublicKey()))
                    .put("firstSeenMs", remote.firstSeenMs())
                    .put("lastChangedMs", remote.lastChangedMs())
                    .endObject();
            }
            out.println(json.endArray());
            return Main.EXIT_OK;
        }
    }

    private static int setStatus(
        final Path dir, final String action, final String estate, final Acceptance status, final PrintStream out)
    {
        requireKeep(dir);
        try (Keep keep = Keep.open(dir))
        {
            final Acceptance[] before = new Acceptance[1];
            // Decided under the keep's lock, so "changed" is right even if the running stack writes the record too.
            final Optional<RemoteEstateRecord> after = keep.compute(estate, (current) ->
            {
                if (null == current)
                {
                    return null;
                }
                before[0] = current.status();
                return current.status() == status ? null : current.withStatus(status, keep.clock().time());
            });
            if (after.isEmpty())
            {
                throw noEstate(estate, dir);
            }
            final boolean changed = before[0] != status;
            out.println(changed ?
                printable(estate) + ": " + before[0].label() + " -> " + status.label() :
                printable(estate) + ": already " + status.label());
            out.println(new Json()
                .put("action", action)
                .put("name", estate)
                .put("status", status.name())
                .put("changed", changed));
            return Main.EXIT_OK;
        }
    }

    private static int delete(final Path dir, final String estate, final PrintStream out)
    {
        requireKeep(dir);
        try (Keep keep = Keep.open(dir))
        {
            if (!keep.delete(estate))
            {
                throw noEstate(estate, dir);
            }
            out.println(printable(estate) + ": deleted");
            out.println(new Json()
                .put("action", "delete")
                .put("name", estate)
                .put("deleted", true));
            return Main.EXIT_OK;
        }
    }

    private static Path keepDir(final Args args)
    {
        return Path.of(args.string("--keep", null));
    }

    private void requireOperands(final Args args, final List<String> operands, final int count)
    {
        if (operands.size() < count)
        {
            throw new Args.UsageException(name(), operands.get(0) + " needs the name of a remote estate");
        }
        if (operands.size() > count)
        {
            throw new Args.UsageException(name(), "unexpected argument '" + operands.get(count) + "'");
        }
        args.requireAllUsed();
    }

    /**
     * Only keygen makes a keep: a mistyped directory must not silently become an empty one.
     */
    private static void requireKeep(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            throw new IllegalStateException("no keep directory " + dir);
        }
    }

    private static IllegalStateException noEstate(final String estate, final Path dir)
    {
        return new IllegalStateException("no estate " + printable(estate) + " in keep " + dir);
    }

    /**
     * A name as read from a keep may hold any character; keep terminal control characters off the output.
     */
    private static String printable(final String text)
    {
        final StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
