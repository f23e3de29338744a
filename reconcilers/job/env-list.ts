// An ordered container environment with the reference's "set-controller-env" rule (§6.3 row 3): a
// controller value replaces a same-named user variable where it stands, so the controller always
// has the last word without reordering what the user wrote.
import type { V1EnvVar } from '@kubernetes/client-node';

export class EnvList {
  readonly #vars: V1EnvVar[] = [];

  /** Appends without looking for an earlier variable of the same name (the user's own list). */
  append(variable: V1EnvVar): void {
    this.#vars.push(structuredClone(variable));
  }

  /** Sets a controller value: replaces the first same-named variable in place, drops any others. */
  set(name: string, value: string): void {
    this.#put({ name, value });
  }

  /** Like `set`, for a value Kubernetes resolves when the Pod starts (e.g. a ConfigMap key). */
  setFrom(variable: V1EnvVar): void {
    this.#put(structuredClone(variable));
  }

  /** Sets a controller value, or removes any same-named variable when the value is empty. */
  setOrRemove(name: string, value: string | undefined): void {
    if (value) this.set(name, value);
    else this.remove(name);
  }

  /** Sets the value only when no variable of that name exists yet (a user value wins). */
  setDefault(name: string, value: string): void {
    if (!this.has(name)) this.#vars.push({ name, value });
  }

  remove(name: string): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i]!.name === name) this.#vars.splice(i, 1);
    }
  }

  has(name: string): boolean {
    return this.#vars.some((variable) => variable.name === name);
  }

  toArray(): V1EnvVar[] {
    return this.#vars.map((variable) => structuredClone(variable));
  }

  #put(variable: V1EnvVar): void {
    const at = this.#vars.findIndex((existing) => existing.name === variable.name);
    if (at < 0) {
      this.#vars.push(variable);
      return;
    }
    this.#vars[at] = variable;
    for (let i = this.#vars.length - 1; i > at; i--) {
      if (this.#vars[i]!.name === variable.name) this.#vars.splice(i, 1);
    }
  }
}
