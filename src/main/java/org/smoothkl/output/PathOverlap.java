package org.smoothkl.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.smoothkl.audit.AuditInputException;

/**
 * No run destroys what it reads: a path a run writes must not equal, contain or lie inside a
 * path it reads, nor another path it writes. {@link #refuse} only looks (it creates nothing), so
 * it runs before a run claims its output, and a refused run leaves every file as it was.
 *
 * <p>Paths are compared where they really are: qualified on their own file system (relative to
 * its working directory; Hadoop's {@link Path} already drops {@code .} and {@code ..}), symlinks
 * resolved on the longest prefix that exists (local paths through {@code toRealPath}, others
 * through {@link FileSystem#resolvePath}, which also follows viewfs mount points), and a read
 * glob taken as its matches and its fixed prefix directory (an output in {@code data/*}'s
 * {@code data} is inside the input tree). Locations compare by scheme, authority and whole path
 * segments: {@code /a/bc} is not inside {@code /a/b}; different file systems never overlap.
 */
public final class PathOverlap {
    /** Hadoop's glob metacharacters (Globber): a segment holding one is a pattern. */
    private static final Pattern GLOB = Pattern.compile("[*?\\[{]");

    private PathOverlap() {
    }

    /**
     * A path as the user gave it and the flag it came from (null path: not given). {@code glob}:
     * read as Hadoop reads {@code --input} (a pattern); otherwise taken literally.
     */
    public record FlagPath(String flag, String path, boolean glob) {
        public static FlagPath literal(String flag, String path) {
            return new FlagPath(flag, path, false);
        }

        public static FlagPath pattern(String flag, String path) {
            return new FlagPath(flag, path, true);
        }
    }

    /**
     * Exit 2 (an {@link AuditInputException} naming both paths and their flags) when a write
     * equals, contains or lies inside a read or another write. Writes are literal paths.
     */
    public static void refuse(Configuration conf, List<FlagPath> reads, List<FlagPath> writes) {
        List<Resolved> read = resolveAll(conf, reads);
        List<Resolved> written = resolveAll(conf, writes.stream()
                .map(w -> FlagPath.literal(w.flag(), w.path())).toList());
        for (int i = 0; i < written.size(); i++) {
            for (Resolved r : read) {
                refuse(written.get(i), r, "a run must not write where it reads");
            }
            for (Resolved other : written.subList(i + 1, written.size())) {
                refuse(written.get(i), other, "what a run writes must lie apart");
            }
        }
    }

    private static void refuse(Resolved write, Resolved other, String why) {
        for (Location w : write.locations()) {
            for (Location o : other.locations()) {
                String relation = w.equals(o) ? "is the same path as" : w.within(o) ? "lies inside" : o.within(w) ? "contains" : null;
                if (relation != null) {
                    throw new AuditInputException(write.describe(w) + " " + relation + " " + other.describe(o)
                            + ": " + why + "; nothing was touched");
                }
            }
        }
    }

    private static List<Resolved> resolveAll(Configuration conf, List<FlagPath> paths) {
        List<Resolved> all = new ArrayList<>();
        for (FlagPath p : paths) {
            if (p.path() != null) {
                all.add(resolve(conf, p));
            }
        }
        return all;
    }

    private static Resolved resolve(Configuration conf, FlagPath given) {
        try {
            Path path = new Path(given.path());
            FileSystem fs = path.getFileSystem(conf);
            Path qualified = fs.makeQualified(path);
            List<Location> locations = new ArrayList<>();
            if (given.glob() && isGlob(qualified)) {
                Path fixed = qualified;
                while (fixed.getParent() != null && isGlob(fixed)) {
                    fixed = fixed.getParent();
                }
                locations.add(real(fs, fixed));
                for (FileStatus m : matches(fs, qualified)) {
                    locations.add(real(fs, m.getPath()));
                }
            } else {
                locations.add(real(fs, qualified));
            }
            return new Resolved(given, Location.of(qualified), locations);
        } catch (IOException | IllegalArgumentException e) {
            throw new AuditInputException("cannot resolve " + given.flag() + " " + given.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a glob matches; none when Hadoop's globber cannot read it (a ':' in a name): the
     * reader refuses that input itself, and its fixed prefix still counts here.
     */
    private static FileStatus[] matches(FileSystem fs, Path glob) throws IOException {
        try {
            FileStatus[] matches = fs.globStatus(glob);
            return matches == null ? new FileStatus[0] : matches;
        } catch (IllegalArgumentException e) {
            return new FileStatus[0];
        }
    }

    private static boolean isGlob(Path p) {
        return GLOB.matcher(p.toUri().getPath()).find();
    }

    /** Where {@code path} (qualified) really is: symlinks resolved on its longest existing prefix. */
    private static Location real(FileSystem fs, Path path) throws IOException {
        if ("file".equals(path.toUri().getScheme())) {
            java.nio.file.Path p = Paths.get(path.toUri());
            java.nio.file.Path existing = p;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            return existing == null ? Location.of(path)
                    : Location.local(existing.toRealPath().resolve(existing.relativize(p)));
        }
        Path existing = path;
        while (existing != null && !fs.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return Location.of(path);
        }
        List<String> rest = Location.of(path).segments();
        return Location.of(fs.resolvePath(existing)).append(rest.subList(Location.of(existing).segments().size(), rest.size()));
    }

    /** A path as the user gave it, and where it (or, for a glob, its prefix and matches) really is. */
    private record Resolved(FlagPath given, Location qualified, List<Location> locations) {
        /** "--output out", with where it resolved to when that is not where it reads. */
        String describe(Location at) {
            return given.flag() + " " + given.path() + (at.equals(qualified) ? "" : " (" + at + ")");
        }
    }

    /** A file system location: scheme, authority and path segments, compared component-wise. */
    record Location(String scheme, String authority, List<String> segments) {
        static Location of(Path qualified) {
            java.net.URI uri = qualified.toUri();
            return new Location(lower(uri.getScheme()), lower(uri.getAuthority()), segments(uri.getPath()));
        }

        static Location local(java.nio.file.Path real) {
            List<String> names = new ArrayList<>();
            real.forEach(n -> names.add(n.toString()));
            return new Location("file", "", names);
        }

        private static List<String> segments(String path) {
            List<String> s = new ArrayList<>();
            for (String part : Objects.toString(path, "").split("/")) {
                if (!part.isEmpty()) {
                    s.add(part);
                }
            }
            return s;
        }

        private static String lower(String s) {
            return s == null ? "" : s.toLowerCase(Locale.ROOT);
        }

        Location append(List<String> more) {
            List<String> all = new ArrayList<>(segments);
            all.addAll(more);
            return new Location(scheme, authority, all);
        }

        /** This location is {@code other} or lies under it. */
        boolean within(Location other) {
            return scheme.equals(other.scheme) && authority.equals(other.authority)
                    && segments.size() >= other.segments.size()
                    && segments.subList(0, other.segments.size()).equals(other.segments);
        }

        @Override
        public String toString() {
            return scheme + ":" + (authority.isEmpty() ? "" : "//" + authority) + "/" + String.join("/", segments);
        }
    }
}
