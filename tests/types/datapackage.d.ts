// The parts of Frictionless's reference JavaScript reader (datapackage-js) the tests use.
declare module 'datapackage' {
  export interface Resource {
    name: string;
    read(options?: { cast?: boolean; keyed?: boolean; relations?: boolean }): Promise<Array<Record<string, unknown>>>;
  }
  export class Package {
    static load(descriptor: string, options?: { basePath?: string; strict?: boolean }): Promise<Package>;
    readonly valid: boolean;
    readonly errors: Error[];
    readonly resources: Resource[];
    getResource(name: string): Resource | null;
  }
}
