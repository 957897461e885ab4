import { groupByType, isText, languageOf } from "./snapshotText";

describe("snapshot helpers", () => {
  it("groups components by type with counts", () => {
    const c = (typeName: string, fullName: string) => ({
      typeName,
      fullName,
      contentHash: "h",
      size: 1,
    });
    expect(groupByType([c("Layout", "a"), c("ApexClass", "b"), c("Layout", "c")])).toEqual([
      { type: "ApexClass", count: 1 },
      { type: "Layout", count: 2 },
    ]);
  });

  it("tells text from binary", () => {
    expect(isText(new TextEncoder().encode("<CustomObject/>"))).toBe(true);
    expect(isText(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00]))).toBe(false);
    expect(isText(new Uint8Array([0xff, 0xfe, 0xfd]))).toBe(false);
  });

  it("knows the language of Salesforce files", () => {
    expect(languageOf("classes/Foo.cls")).toBe("apex");
    expect(languageOf("objects/Account.object")).toBe("xml");
    expect(languageOf("lwc/card/card.js")).toBe("js");
  });
});
