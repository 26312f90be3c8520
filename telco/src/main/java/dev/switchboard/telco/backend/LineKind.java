package dev.switchboard.telco.backend;

/** What a bill line is for. */
public enum LineKind {
    PACKAGE("package"),
    ADD_ON("add_on"),
    ROAMING("roaming"),
    ADJUSTMENT("adjustment"),
    FEE("fee");

    private final String wireName;

    LineKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static LineKind fromWire(String text) {
        for (LineKind k : values()) {
            if (k.wireName.equals(text)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown bill line kind " + text);
    }
}
