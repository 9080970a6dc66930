package org.smoothkl.loss;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * An enum whose constants appear in flags, config files and outputs under one code: the
 * constant's name in lower case ({@code OTHERS_EXCEPT_PAD} → {@code others_except_pad}). Every such
 * enum of the project names its constants this way, and parses them with {@link #parse}.
 */
public interface WireCode {
    String name();

    /** The constant's code: its name in lower case. */
    default String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The constant of {@code type} whose code is {@code code} (case and surrounding blanks
     * ignored); else an {@link IllegalArgumentException} naming {@code what} and the codes accepted.
     */
    static <E extends Enum<E> & WireCode> E parse(Class<E> type, String code, String what) {
        String wanted = code == null ? "" : code.trim();
        for (E e : type.getEnumConstants()) {
            if (e.code().equalsIgnoreCase(wanted)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + code + "'; expected one of " + codes(type));
    }

    /** The codes of {@code type}, comma separated, in declaration order. */
    static <E extends Enum<E> & WireCode> String codes(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(WireCode::code).collect(Collectors.joining(", "));
    }
}
