package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

// The examples need a running server, so they are compiled but not run.

func Example() {
	ctx := context.Background()
	c, err := client.New("https://sales.example.com",
		client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	// The first call logs in and selects the user's database.
	cust, err := c.Customers.Create(ctx, &salesmania.CustomerFields{
		Name:      new("Toko Sumber Rejeki"),
		City:      new("Semarang"),
		ExtCustNo: new("C-0001"),
		Location:  &salesmania.LocationInput{Lat: new(-7.110383), Lon: new(110.473812)},
		Tags:      &[]string{"grosir"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cust.ID, cust.Name, cust.Status)
}

// A user of several databases chooses one.
func ExampleClient_Login() {
	ctx := context.Background()
	c, err := client.New("https://sales.example.com",
		client.WithCredentials("owner@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	err = c.Login(ctx)
	if errors.Is(err, client.ErrDatabaseNotChosen) {
		dbs, err := c.Databases(ctx)
		if err != nil {
			log.Fatal(err)
		}
		for _, db := range dbs {
			fmt.Printf("%d %s (team %s, %s)\n", db.ID, db.Name, db.TeamName, db.Role)
		}
		err = c.SelectDatabase(ctx, dbs[0].ID)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged in to database", c.Session().DBID)
}

// A saved bearer token is reused, and renewed with the credentials when it
// no longer works.
func ExampleWithBearer() {
	saved := "the Session().Bearer of an earlier run"
	c, err := client.New("https://sales.example.com",
		client.WithBearer(saved),
		client.WithCredentials("budi@example.com", "rahasia-123"),
		client.WithDatabase(2981))
	if err != nil {
		log.Fatal(err)
	}
	teams, err := c.Teams(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range teams {
		fmt.Println(t.ID, t.Name, t.ExtSalesmanNumber)
	}
}

func ExampleCustomerService_All() {
	ctx := context.Background()
	c, err := client.New("https://sales.example.com", client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	for cust, err := range c.Customers.All(ctx, &client.CustomerListOptions{Tag: "grosir", Status: new(true), Limit: 500}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(cust.ID, cust.Name)
	}
}

// Update changes only the fields that are set; Nulls sends an explicit null,
// which clears the location.
func ExampleCustomerService_Update() {
	ctx := context.Background()
	c, err := client.New("https://sales.example.com", client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	cust, err := c.Customers.Update(ctx, 101, &salesmania.CustomerFields{
		Status: new(false),
		Nulls:  map[string]bool{"location": true},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cust.Status, cust.Location == nil)
}

// A phone keeps its copy of the customers in sync: the rows changed since
// the last sync, then the rows deleted since.
func ExampleCustomerService_ListDeleted() {
	ctx := context.Background()
	c, err := client.New("https://sales.example.com", client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	lastSync := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for cust, err := range c.Customers.All(ctx, &client.CustomerListOptions{UpdatedSince: &lastSync}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("changed", cust.ID, cust.UpdatedAt)
	}
	for gone, err := range c.Customers.AllDeleted(ctx, &client.DeletedListOptions{Since: lastSync}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("deleted", gone.ID, gone.DeletedAt)
	}
}

func ExampleVisitService_Append() {
	ctx := context.Background()
	c, err := client.New("https://sales.example.com", client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	v, err := c.Visits.Append(ctx, &salesmania.VisitCreate{Date: new("2024-01-01"), CustomerID: new(int64(101))})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("visit %d is stop %d of team %d on %s\n", v.ID, v.Seq, v.TeamID, v.Date)
}

// The worked example of the API's money rules: 2 DUS at 130000 less 10% then
// 5%, and 2% off the order, make a total of 217854.
func ExampleOrderService_Create() {
	ctx := context.Background()
	c, err := client.New("https://sales.example.com", client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	o, err := c.Orders.Create(ctx, &salesmania.OrderFields{
		Date:       new("2024-01-01"),
		CustomerID: new(int64(101)),
		OrderedProducts: &[]salesmania.OrderLineInput{{
			ProductID:       new(int64(7)),
			Qty:             new(salesmania.MustDecimal("2")),
			Unit:            new("DUS"),
			Price:           new(salesmania.MustDecimal("130000")),
			ItemDiscPercent: new("10+5"),
		}},
		DiscPercent: new("2"),
		ExtOrderNo:  new("SO-2024-0001"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.Subtotal, o.Discount, o.Total) // 222300 4446 217854
}

// An order saved on the phone with its key is sent again after the app
// restarts; the server creates it at most once.
func ExampleContextWithIdempotencyKey() {
	c, err := client.New("https://sales.example.com", client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	pending := struct {
		Key   string
		Order salesmania.OrderFields
	}{Key: client.NewIdempotencyKey()} // stored with the order before the first try
	ctx := client.ContextWithIdempotencyKey(context.Background(), pending.Key)
	o, err := c.Orders.Create(ctx, &pending.Order)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("order", o.ID)
}

func ExampleIsNotFound() {
	c, err := client.New("https://sales.example.com", client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Products.Get(context.Background(), 7)
	switch {
	case client.IsNotFound(err):
		fmt.Println("no product 7 in this database")
	case err != nil:
		log.Fatal(err)
	}
}

// A 422 lists every bad field.
func ExampleError() {
	c, err := client.New("https://sales.example.com", client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Customers.Create(context.Background(), &salesmania.CustomerFields{
		Location: &salesmania.LocationInput{Lat: new(91.0), Lon: new(110.0)},
	})
	var e *client.Error
	if errors.As(err, &e) && e.Status == 422 {
		for _, f := range e.Fields {
			fmt.Printf("%s %s\n", f.Field, f.Message) // name is required; location.lat must be between -90 and 90
		}
	}
}

// A salesman arrives at the first customer of the day and checks in with
// the phone's position; the answer says whether the position verifies the
// visit. A phone that was offline sends the time it took the position as
// DeviceTime.
func ExampleVisitService_CheckIn() {
	ctx := context.Background()
	c, err := client.New("https://sales.example.com", client.WithCredentials("budi@example.com", "rahasia-123"))
	if err != nil {
		log.Fatal(err)
	}
	v, err := c.Visits.CheckIn(ctx, 55, &salesmania.CheckFields{
		Lat: new(-7.110412), Lon: new(110.473790), AccuracyM: new(12.0),
		DeviceTime: new("2026-03-02T09:14:05+07:00"),
	})
	switch {
	case client.IsConflict(err):
		fmt.Println("visit 55 is not planned any more")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(*v.CheckIn.Verification, *v.CheckIn.DistanceM) // verified 4
	}
	// Later, the visit is done.
	if _, err := c.Visits.CheckOut(ctx, 55, &salesmania.CheckFields{Outcome: new("Order")}); err != nil {
		log.Fatal(err)
	}
}
