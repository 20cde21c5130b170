package dev.vaestream.app.archfixtures;

import java.io.Externalizable;
import java.io.ObjectInput;
import java.io.ObjectOutput;

/** Violation: a type that takes part in Java serialization as a reader. */
public final class ExternalizablePayload implements Externalizable {
  private static final long serialVersionUID = 1L;
  private int value;

  @Override
  public void writeExternal(ObjectOutput out) throws java.io.IOException {
    out.writeInt(value);
  }

  @Override
  public void readExternal(ObjectInput in) throws java.io.IOException {
    value = in.readInt();
  }
}
