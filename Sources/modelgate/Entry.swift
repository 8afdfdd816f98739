import ModelGateCLI

@main
struct Entry {
    static func main() async {
        await ModelGateCommand.runMain()
    }
}
