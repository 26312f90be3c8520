package dev.switchboard.telco.tools;

/** One named step of a long-running tool: the progress it reports and its share of the nominal duration. */
record Step(int percent, String name, double share) {

    Step {
        if (percent < 0 || percent > 99) {
            throw new IllegalArgumentException("a step reports 0..99 percent; 100 is the operation's end: " + percent);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a step needs a name");
        }
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("a step's share of the duration is 0..1: " + share);
        }
    }
}
